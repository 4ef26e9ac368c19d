import { expect } from 'chai';
import mongoose from 'mongoose';
import { CommentModel } from '../../src/comments/comment.model';
import { declaredIndexFields, ginIndexName } from '../../src/db/jsonbIndexes';

describe('GIN indexes derived from the models', () => {
  it('covers _id and every top-level field of every declared index, and no dotted path', () => {
    const fields = declaredIndexFields([CommentModel]).get(CommentModel.collection.collectionName);
    expect([...(fields ?? [])]).to.include.members(['_id', 'siteId', 'articleId', 'parentId', 'rootId', 'status', 'createdAt']);
    expect([...(fields ?? [])].some((field) => field.includes('.'))).to.equal(false);
  });

  it('covers every registered model, so collections added later get their indexes at the next start', () => {
    const byCollection = declaredIndexFields(Object.values(mongoose.models));
    for (const model of Object.values(mongoose.models)) {
      expect(byCollection.get(model.collection.collectionName)?.has('_id'), model.modelName).to.equal(true);
    }
  });

  it('names indexes within PostgreSQL\'s 63 characters, distinct per table and field', () => {
    const long = 'a_very_long_collection_name_that_ferretdb_might_map_to_a_table_0123abcd';
    const a = ginIndexName(long, 'someFieldWithAVeryLongName');
    const b = ginIndexName(long, 'someFieldWithAVeryLongNameToo');
    expect(a.length).to.be.at.most(63);
    expect(a).to.not.equal(b);
  });
});
