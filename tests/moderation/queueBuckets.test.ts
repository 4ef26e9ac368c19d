import { expect } from 'chai';
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { forgetAuthorIdsComplete } from '../../src/comments/authorFilter';
import { queueQuerySchema } from '../../src/moderation/schemas';
import { readQueue } from '../../src/moderation/queue';
import { backfillQueuePlaces } from '../../src/moderation/queueBackfill';
import {
  advanceHead,
  bucketKey,
  placeNewComments,
  QUEUE_BUCKET_SIZE,
  QueueCounterModel,
  readHead,
  settleHeads,
} from '../../src/moderation/queuePlaces';
import { testApp, testLogger } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, insertComment } from './helpers';

type Page = { items: { id: string }[]; nextCursor: string | null; endCursor: string | null };

describe('moderation queue in buckets: a page reads a page-sized set of rows', function () {
  this.timeout(120_000);
  let app: Express;
  let admin: TestUser;
  let moderator: TestUser;

  before(async () => {
    app = testApp();
    admin = await createTestUser({ role: 'admin' });
    moderator = await createTestUser({ role: 'moderator' });
  });

  const queue = async (siteId: string, query: Record<string, string | number>): Promise<Page> => {
    const res = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue`).query(query).set(bearer(admin.token));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Page;
  };

  /** Every item of a queue, page by page. */
  const everything = async (siteId: string, limit: number): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i += 1) {
      const page: Page = await queue(siteId, { limit, ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return ids;
  };

  it('numbers each entry, buckets it, and pages across buckets oldest first without gaps or repeats', async () => {
    const siteId = (await createTestSite()).id;
    const ids: string[] = [];
    for (let i = 0; i < QUEUE_BUCKET_SIZE * 2 + 7; i += 1) ids.push(await insertComment(siteId));
    const stored = await CommentModel.findById(ids[QUEUE_BUCKET_SIZE + 1]).lean();
    expect(stored).to.include({ queueBucket: bucketKey(siteId, 'pending', 1), queueSeq: QUEUE_BUCKET_SIZE + 1, flagBucket: null });
    expect(await everything(siteId, 40)).to.deep.equal(ids);
    expect(await everything(siteId, 100)).to.deep.equal(ids);
  });

  it('numbers simultaneous entries exactly (no two comments share a place)', async () => {
    const siteId = (await createTestSite()).id;
    const ids = await Promise.all(Array.from({ length: 30 }, () => insertComment(siteId)));
    const seqs = (await CommentModel.find({ siteId: new Types.ObjectId(siteId) }, { queueSeq: 1 }).lean()).map((c) => c.queueSeq);
    expect(new Set(seqs).size).to.equal(30);
    expect([...seqs].sort((a, b) => Number(a) - Number(b))).to.deep.equal(Array.from({ length: 30 }, (_, i) => i));
    expect(new Set(await everything(siteId, 7))).to.deep.equal(new Set(ids));
  });

  it('skips the buckets moderators emptied, through the head, and keeps cursors stable across decisions', async () => {
    const siteId = (await createTestSite()).id;
    const ids: string[] = [];
    for (let i = 0; i < QUEUE_BUCKET_SIZE * 2 + 10; i += 1) ids.push(await insertComment(siteId));
    const first = await queue(siteId, { limit: 10 });
    expect(first.items.map((i) => i.id)).to.deep.equal(ids.slice(0, 10));
    // Another moderator clears the first two buckets (and more) while this one reads on.
    const cleared = ids.slice(0, QUEUE_BUCKET_SIZE * 2 + 3);
    for (let at = 0; at < cleared.length; at += 100) {
      const bulk = await request(app)
        .post(`/api/v1/sites/${siteId}/moderation/bulk`)
        .set(bearer(admin.token))
        .send({ action: 'approve', ids: cleared.slice(at, at + 100) });
      expect(bulk.body.updated).to.equal(cleared.slice(at, at + 100).length);
    }
    const next = await queue(siteId, { limit: 10, cursor: first.nextCursor as string });
    expect(next.items.map((i) => i.id)).to.deep.equal(ids.slice(QUEUE_BUCKET_SIZE * 2 + 3, QUEUE_BUCKET_SIZE * 2 + 10));
    expect(next.nextCursor).to.equal(null);
    // The read found buckets 0 and 1 empty: the head moved past them.
    expect(await readHead(siteId, 'pending')).to.equal(2);
    const fresh = await queue(siteId, { limit: 10 });
    expect(fresh.items.map((i) => i.id)).to.deep.equal(ids.slice(QUEUE_BUCKET_SIZE * 2 + 3));
    expect(await readHead(siteId, 'pending')).to.equal(2);
  });

  it('an item that comes back (undo, rejection, flag) joins the end, where a poll from endCursor finds it', async () => {
    const siteId = (await createTestSite()).id;
    const a = await insertComment(siteId);
    const b = await insertComment(siteId);
    const page = await queue(siteId, { limit: 10 });
    expect(page.items.map((i) => i.id)).to.deep.equal([a, b]);
    const decided = await request(app).post(`/api/v1/comments/${a}/reject`).set(bearer(admin.token)).send({ reason: 'spam' });
    expect(decided.status).to.equal(200);
    const rejected = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?status=rejected`).set(bearer(admin.token));
    expect(rejected.body.items.map((i: { id: string }) => i.id)).to.deep.equal([a]);
    const undone = await request(app).post(`/api/v1/comments/${a}/undo`).set(bearer(admin.token)).send({ revision: decided.body.revision });
    expect(undone.status).to.equal(200);
    const poll = await queue(siteId, { limit: 10, cursor: page.endCursor as string });
    expect(poll.items.map((i) => i.id)).to.deep.equal([a]);
    expect((await queue(siteId, { limit: 10 })).items.map((i) => i.id)).to.deep.equal([b, a]);
    const stillRejected = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?status=rejected`).set(bearer(admin.token));
    expect(stillRejected.body.items).to.deep.equal([]);
  });

  it('a place taken just before a reader moved the head past its bucket moves the head back', async () => {
    const siteId = new Types.ObjectId();
    const site = String(siteId);
    // Numbers 0..2*B-1 taken; the bucket-0 writer is slow, bucket 1 is written at once.
    const slow = { siteId, status: 'pending' as const };
    const rest = Array.from({ length: QUEUE_BUCKET_SIZE * 2 - 1 }, () => ({ siteId, status: 'pending' as const }));
    const enteredSlow = await placeNewComments([slow]);
    await placeNewComments(rest);
    // A reader finds bucket 0 empty and moves the head to 1 before the slow write lands.
    await advanceHead(site, 'pending', 0, 1, async () => true);
    expect(await readHead(site, 'pending')).to.equal(1);
    await CommentModel.collection.insertOne({ ...slow, articleId: 'late', author: { id: null, displayName: 'Late' }, body: 'late', html: '', createdAt: new Date() });
    await settleHeads(enteredSlow);
    expect(await readHead(site, 'pending')).to.equal(0);
    // And the other order: the write lands while the reader moves the head, its second read sees it.
    await advanceHead(site, 'pending', 0, 1, async (bucket) => (await CommentModel.countDocuments({ queueBucket: bucketKey(site, 'pending', bucket) })) === 0);
    expect(await readHead(site, 'pending')).to.equal(0);
    const page = await readQueue(site, queueQuerySchema.parse({ limit: 5 }));
    expect(page.items.map((i) => i.body)).to.deep.equal(['late']);
  });

  it('inserts through mongoose (create and insertMany) settle the head after their own write', async () => {
    for (const insert of ['create', 'insertMany'] as const) {
      const siteId = new Types.ObjectId();
      await advanceHead(String(siteId), 'pending', 0, 1, async () => true);
      const doc = { siteId, articleId: 'a', author: { id: null, displayName: 'Early' }, status: 'pending' as const };
      if (insert === 'create') await CommentModel.create(doc);
      else await CommentModel.insertMany([doc, { ...doc, status: 'rejected' as const }]);
      expect(await readHead(String(siteId), 'pending'), insert).to.equal(0);
    }
  });

  it('the flagged queue and a watch list queue read by equality too', async () => {
    const siteId = (await createTestSite()).id;
    await insertComment(siteId, { articleId: 'watched-one' });
    const other = await insertComment(siteId, { articleId: 'not-watched' });
    const watched = await insertComment(siteId, { articleId: 'watched-two' });
    const list = await queue(siteId, { articles: 'watched-two,watched-one', limit: 1 });
    expect(list.items).to.have.length(1);
    const rest = await queue(siteId, { articles: 'watched-two,watched-one', limit: 1, cursor: list.nextCursor as string });
    expect(rest.items.map((i) => i.id)).to.deep.equal([watched]);
    expect(rest.nextCursor).to.equal(null);
    expect((await queue(siteId, { status: 'flagged' })).items).to.deep.equal([]);
    const flaggedDoc = await CommentModel.create({
      siteId: new Types.ObjectId(siteId),
      articleId: 'not-watched',
      author: { id: null, displayName: 'Flagged' },
      status: 'pending',
      flagged: true,
      previousStatus: 'approved',
    });
    expect(flaggedDoc.flagBucket).to.equal(bucketKey(siteId, 'flagged', 0));
    expect((await queue(siteId, { status: 'flagged' })).items.map((i) => i.id)).to.deep.equal([String(flaggedDoc._id)]);
    expect((await queue(siteId, { status: 'pending' })).items.map((i) => i.id)).to.include(other);
  });

  it('places comments written before queue places existed, once, oldest first', async () => {
    const siteId = new Types.ObjectId();
    const author = new Types.ObjectId();
    const legacy = [2, 1].map((minute) => ({
      _id: new Types.ObjectId(),
      siteId,
      articleId: 'legacy',
      author: { id: author, displayName: 'Old timer' },
      body: `written at minute ${minute}`,
      html: '',
      status: 'pending',
      createdAt: new Date(Date.UTC(2020, 0, 1, 0, minute)),
    }));
    await CommentModel.collection.insertMany(legacy);
    await QueueCounterModel.deleteOne({ _id: 'backfill:queue-places:1' });
    forgetAuthorIdsComplete();
    expect(await backfillQueuePlaces(testLogger)).to.be.greaterThan(1);
    const page = await readQueue(String(siteId), queueQuerySchema.parse({}));
    expect(page.items.map((i) => i.body)).to.deep.equal(['written at minute 1', 'written at minute 2']);
    expect(await CommentModel.countDocuments({ authorId: author, siteId, status: 'pending' })).to.equal(2);
    expect(await backfillQueuePlaces(testLogger)).to.equal(0);
  });

  it('is still for the site\'s moderators only', async () => {
    const siteId = (await createTestSite()).id;
    const res = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue`).set(bearer(moderator.token));
    expect(res.status).to.equal(403);
  });
});
