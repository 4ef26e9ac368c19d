import { expect } from 'chai';
import { Types } from 'mongoose';
import { UserModel } from '../../src/accounts/user.model';
import { CommentModel } from '../../src/comments/comment.model';
import { planUsesIndex, type PushedDownValue } from '../../src/db/jsonbIndexes';
import { ImportJobModel } from '../../src/imports/importJob.model';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { explainFilter, onlyOnPostgresql } from '../support/queryPlans';

/**
 * The queries an import still makes, per batch or per article, read through indexes on the embedded
 * default. (Matched authors' counts need none: they are tallied from the inserts and added to the
 * author's count document by `_id`; no query filters on `author.id`, which FerretDB cannot push down.)
 */
describe('imports: the queries left read through indexes (FerretDB on PostgreSQL)', function () {
  this.timeout(60000);

  before(onlyOnPostgresql);

  const siteId = new Types.ObjectId();
  const shapes: [string, string, Record<string, PushedDownValue>][] = [
    ['a parent from an earlier import, by _id', CommentModel.collection.collectionName, { _id: new Types.ObjectId() }],
    ['a verified account by email', UserModel.collection.collectionName, { email: 'reader@example.org', emailVerified: true }],
    ["a comment's history by commentId", ModerationActionModel.collection.collectionName, { commentId: new Types.ObjectId() }],
    ["an article's approved or held comments (once per article at the end)", CommentModel.collection.collectionName, { siteId, articleId: 'imported', status: 'pending' }],
    ['running jobs, for the resumer', ImportJobModel.collection.collectionName, { status: 'running' }],
  ];

  for (const [name, collection, filter] of shapes) {
    it(`${name}: ${Object.keys(filter).join(' + ')} uses an index`, async () => {
      const plan = await explainFilter(collection, filter);
      expect(planUsesIndex(plan), plan.join('\n')).to.equal(true);
    });
  }
});
