import { expect } from 'chai';
import { Types } from 'mongoose';
import { UserModel } from '../../src/accounts/user.model';
import { ArticleModel } from '../../src/comments/article.model';
import { CommentModel } from '../../src/comments/comment.model';
import { explainPushedDownFilter, planUsesIndex, type PushedDownValue } from '../../src/db/jsonbIndexes';
import { testDatabase } from '../support/hooks';
import mongoose from 'mongoose';

describe('embedded database: hot queries read through indexes (FerretDB on PostgreSQL)', function () {
  this.timeout(60000);

  before(function () {
    const database = testDatabase();
    if (database.backend !== 'ferretdb-postgresql' || !database.postgresql) {
      // eslint-disable-next-line no-console
      console.log(`    skipped: the query plans are PostgreSQL's; this run's backend is ${database.backend}`);
      this.skip();
    }
  });

  const explain = (collection: string, filter: Record<string, PushedDownValue>): Promise<string[]> => {
    const { postgresql } = testDatabase();
    if (!postgresql) throw new Error('no PostgreSQL access');
    return explainPushedDownFilter(postgresql, mongoose.connection.name, collection, filter, { discourageSeqScan: true });
  };

  const siteId = new Types.ObjectId();
  const shapes: [string, string, Record<string, PushedDownValue>][] = [
    ['a comment by _id', CommentModel.collection.collectionName, { _id: new Types.ObjectId() }],
    [
      "an article's comments by siteId + articleId",
      CommentModel.collection.collectionName,
      { siteId, articleId: 'plans-article' },
    ],
    ['replies by parentId', CommentModel.collection.collectionName, { parentId: new Types.ObjectId() }],
    ['a thread by rootId', CommentModel.collection.collectionName, { rootId: new Types.ObjectId() }],
    ['the queue by siteId + status', CommentModel.collection.collectionName, { siteId, status: 'pending' }],
    // A moderation queue page reads one bucket (at most QUEUE_BUCKET_SIZE rows) per query.
    ['a pending or rejected queue bucket', CommentModel.collection.collectionName, { queueBucket: `${String(siteId)}:pending:0` }],
    ['a flagged queue bucket', CommentModel.collection.collectionName, { flagBucket: `${String(siteId)}:flagged:0` }],
    ["an author's comments on a site by status", CommentModel.collection.collectionName, { authorId: new Types.ObjectId(), siteId, status: 'approved' }],
    ['the article document by _id', ArticleModel.collection.collectionName, { _id: `${String(siteId)}:plans-article` }],
    ['a user by _id', UserModel.collection.collectionName, { _id: new Types.ObjectId() }],
  ];

  for (const [name, collection, filter] of shapes) {
    it(`${name}: ${Object.keys(filter).join(' + ')} uses an index`, async () => {
      const plan = await explain(collection, filter);
      expect(planUsesIndex(plan), plan.join('\n')).to.equal(true);
      expect(plan.join('\n')).to.match(/_gin_/);
    });
  }

  it('a field without a declared index still scans (the check above can fail)', async () => {
    const plan = await explain(CommentModel.collection.collectionName, { body: 'no index on this field' });
    expect(planUsesIndex(plan), plan.join('\n')).to.equal(false);
    expect(plan.join('\n')).to.match(/Seq Scan/);
  });

  it('runs with plan_cache_mode = force_custom_plan, so the field name parameter is planned with', async () => {
    const { postgresql } = testDatabase();
    expect((await postgresql?.query('SHOW plan_cache_mode'))?.trim()).to.equal('force_custom_plan');
  });
});
