import { expect } from 'chai';
import { Types } from 'mongoose';
import { UserModel } from '../../src/accounts/user.model';
import { ArticleModel } from '../../src/comments/article.model';
import { CommentModel } from '../../src/comments/comment.model';
import { dropUnusableIndexes } from '../../src/db/connection';
import { ensureJsonbIndexes, explainPushedDownFilter, planUsesIndex, quoteIdent, quoteLiteral, type PushedDownValue } from '../../src/db/jsonbIndexes';
import { createLogger } from '../../src/logging/logger';
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
    ["whether an author has an approved comment (first-comment rule)", CommentModel.collection.collectionName, { authorId: new Types.ObjectId(), status: 'approved' }],
    // Account rename, deletion and export; the unsubscribe link; a moderator's record of, or search by, one author.
    ["an author's comments", CommentModel.collection.collectionName, { authorId: new Types.ObjectId() }],
    ["an author's comments that ask for reply mails", CommentModel.collection.collectionName, { authorId: new Types.ObjectId(), notifyReplies: true }],
    ["an author's comments on a site", CommentModel.collection.collectionName, { authorId: new Types.ObjectId(), siteId }],
    ['the article document by _id', ArticleModel.collection.collectionName, { _id: `${String(siteId)}:plans-article` }],
    ['a user by _id', UserModel.collection.collectionName, { _id: new Types.ObjectId() }],
    // An array field holding the value: `_jsonb->'nameKeys' @> '"quil"'` is array containment, served by GIN.
    ['people by a word of their name (array contains)', UserModel.collection.collectionName, { nameKeys: 'quil' }],
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

  describe("FerretDB's own explain: which filters it sends to PostgreSQL (filterPushdown)", () => {
    const pushedDown = async (collection: string, filter: Record<string, unknown>): Promise<boolean> => {
      const db = mongoose.connection.db;
      if (!db) throw new Error('not connected');
      const answer = await db.command({ explain: { find: collection, filter }, verbosity: 'queryPlanner' });
      return answer.filterPushdown === true;
    };
    const comments = CommentModel.collection.collectionName;
    const users = UserModel.collection.collectionName;

    it('pushes down the queue bucket, the author queries and the name search', async () => {
      expect(await pushedDown(comments, { queueBucket: `${String(siteId)}:pending:0` })).to.equal(true);
      expect(await pushedDown(comments, { flagBucket: `${String(siteId)}:flagged:3` })).to.equal(true);
      expect(await pushedDown(comments, { authorId: new Types.ObjectId(), siteId, status: 'approved' })).to.equal(true);
      expect(await pushedDown(comments, { authorId: new Types.ObjectId(), status: 'approved' })).to.equal(true);
      expect(await pushedDown(comments, { authorId: new Types.ObjectId() })).to.equal(true);
      expect(await pushedDown(comments, { authorId: new Types.ObjectId(), notifyReplies: true })).to.equal(true);
      expect(await pushedDown(users, { nameKeys: 'quil' })).to.equal(true);
    });

    it('does not push down what they replace (so the check can fail)', async () => {
      expect(await pushedDown(users, { displayName: { $regex: '^Quil', $options: 'i' } })).to.equal(false);
      expect(await pushedDown(comments, { 'author.id': new Types.ObjectId() })).to.equal(false);
      expect(await pushedDown(comments, { _id: { $in: [new Types.ObjectId()] } })).to.equal(false);
    });
  });

  it('runs with plan_cache_mode = force_custom_plan, so the field name parameter is planned with', async () => {
    const { postgresql } = testDatabase();
    expect((await postgresql?.query('SHOW plan_cache_mode'))?.trim()).to.equal('force_custom_plan');
  });

  it('keeps no GIN pending list (fastupdate = off), and switches over an index made with one', async () => {
    const { postgresql } = testDatabase();
    if (!postgresql) throw new Error('no PostgreSQL access');
    const schema = mongoose.connection.name;
    const ours = async (): Promise<string[]> =>
      (
        await postgresql.query(
          `SELECT c.relname || ':' || coalesce(array_to_string(c.reloptions, ','), '') FROM pg_class c ` +
            `JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind = 'i' ` +
            `AND c.relname LIKE '%\\_gin\\_%' ORDER BY 1`,
        )
      )
        .split('\n')
        .filter(Boolean);
    const before = await ours();
    expect(before.length).to.be.greaterThan(10);
    for (const row of before) expect(row, row).to.match(/fastupdate=off/);
    // An index as an earlier version made it: the next start turns its pending list off.
    const [name] = before[0].split(':');
    await postgresql.query(`ALTER INDEX ${quoteIdent(schema)}.${quoteIdent(name)} SET (fastupdate = on);`);
    expect((await ours())[0]).to.not.match(/fastupdate=off/);
    await ensureJsonbIndexes(postgresql, schema, Object.values(mongoose.models), createLogger({ level: 'silent', name: 'plans' }));
    expect((await ours())[0]).to.match(/fastupdate=off/);
  });

  it("has only _id and the GIN indexes on its tables, and drops FerretDB's own indexes an earlier version made", async () => {
    const { postgresql } = testDatabase();
    if (!postgresql) throw new Error('no PostgreSQL access');
    const schema = mongoose.connection.name;
    const btrees = async (): Promise<string[]> =>
      (
        await postgresql.query(
          `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam ` +
            `WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind = 'i' AND a.amname <> 'gin' ORDER BY 1`,
        )
      )
        .split('\n')
        .filter(Boolean);
    // Each table's primary key (FerretDB's unique `_id_` index, and its catalogue's) and nothing else but GIN.
    const atStart = await btrees();
    expect(atStart.length).to.be.greaterThan(5);
    for (const name of atStart) expect(name, name).to.match(/__id__|^_ferretdb_database_metadata_/);
    expect((await CommentModel.collection.indexes()).map((index) => index.name)).to.deep.equal(['_id_']);
    // As a version that let FerretDB make the declared indexes left them: the next start drops them.
    await CommentModel.collection.createIndex({ siteId: 1, articleId: 1, status: 1 }, { name: 'left_by_an_earlier_version' });
    expect(await btrees()).to.have.length(atStart.length + 1);
    await dropUnusableIndexes(createLogger({ level: 'silent', name: 'plans' }));
    expect(await btrees()).to.deep.equal(atStart);
    expect((await CommentModel.collection.indexes()).map((index) => index.name)).to.deep.equal(['_id_']);
  });
});
