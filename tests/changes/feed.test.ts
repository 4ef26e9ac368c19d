import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { ChangeFeed, ChangeEntryModel, subscribeChanges, type Change } from '../../src/changes/feed';
import { CommentModel } from '../../src/comments/comment.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, post, threadPath, type Thread } from '../comments/helpers';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `found` returns something; how long it took, for the failure message. */
async function eventually<T>(found: () => T | undefined | Promise<T | undefined>, boundMs = 10_000): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  while (Date.now() - start < boundMs) {
    const value = await found();
    if (value !== undefined) return { value, ms: Date.now() - start };
    await delay(20);
  }
  throw new Error(`nothing after ${boundMs} ms`);
}

/**
 * Two instances on one database: the app under test (this process's feed and page cache) and a
 * second feed standing for another instance, with its own identity, polling the same log.
 */
describe('change feed shared by instances through the database', () => {
  const app = testApp();
  let other: ChangeFeed;
  let heardByOther: Change[] = [];
  let alice: TestUser;
  let siteId: string;

  before(async () => {
    alice = await createTestUser({ displayName: 'Alice Feed' });
    siteId = (await createTestSite()).id;
    other = new ChangeFeed();
    other.subscribe((change) => {
      heardByOther.push(change);
    });
    other.start();
  });

  after(() => other.stop());
  beforeEach(() => {
    heardByOther = [];
  });

  it('lets another instance hear a comment posted through this one', async () => {
    const comment = await post(app, alice, siteId, 'feed-1', 'Posted on the first instance.');
    const { value } = await eventually(() => heardByOther.find((change) => change.commentId === comment.id));
    expect(value).to.include({ type: 'comment.created', siteId, articleId: 'feed-1', userId: alice.id, status: 'approved' });
  });

  it('delivers each change once per instance: at once here, never again from the log', async () => {
    const local: Change[] = [];
    const stop = subscribeChanges((change) => {
      local.push(change);
    });
    try {
      const comment = await post(app, alice, siteId, 'feed-2', 'Heard once here.');
      await eventually(() => heardByOther.find((change) => change.commentId === comment.id));
      // Two more polls of this instance have passed by now; its own entry was skipped.
      await delay(500);
      expect(local.filter((change) => change.commentId === comment.id)).to.have.length(1);
      expect(heardByOther.filter((change) => change.commentId === comment.id)).to.have.length(1);
    } finally {
      stop();
    }
  });

  it("invalidates this instance's cached page when another instance publishes a change", async () => {
    const comment = await post(app, alice, siteId, 'feed-3', 'Before the other instance edits.');
    const read = async () => ((await request(app).get(threadPath(siteId, 'feed-3')).expect(200)).body as Thread).comments[0].body;
    expect(await read()).to.equal('Before the other instance edits.');
    // The other instance's write, then its notice.
    await CommentModel.collection.updateOne({ _id: new Types.ObjectId(comment.id) }, { $set: { body: 'Edited elsewhere.' } });
    expect(await read()).to.equal('Before the other instance edits.');
    other.publish({ type: 'comment.edited', siteId, articleId: 'feed-3', commentId: comment.id });
    const { value } = await eventually(async () => ((await read()) === 'Edited elsewhere.' ? true : undefined));
    expect(value).to.equal(true);
  });

  it('carries every change type the comment write paths publish, in order', async () => {
    const bruno = await createTestUser();
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
    const comment = await post(app, alice, siteId, 'feed-4', 'A comment with a life.');
    await request(app).patch(`/api/v1/comments/${comment.id}`).set(...bearer(alice)).send({ body: 'Edited once.' }).expect(200);
    await request(app).put(`/api/v1/comments/${comment.id}/vote`).set(...bearer(bruno)).send({ value: 1 }).expect(200);
    await request(app).post(`/api/v1/comments/${comment.id}/flags`).set(...bearer(bruno)).send({ reason: 'spam' }).expect(201);
    await request(app).delete(`/api/v1/comments/${comment.id}`).set(...bearer(moderator)).expect(204);
    const expected = ['comment.created', 'comment.edited', 'comment.voted', 'comment.flagged', 'comment.deleted'];
    const { value } = await eventually(() => {
      const types = heardByOther.filter((change) => change.commentId === comment.id).map((change) => change.type);
      return types.length >= expected.length ? types : undefined;
    });
    expect(value).to.deep.equal(expected);
  });

  it('numbers log entries without holes, one `_id` each, so polling is by `_id` alone', async () => {
    const before = await ChangeEntryModel.find({}, { _id: 1 }).sort({ _id: -1 }).limit(1).lean<{ _id: number }[]>();
    await Promise.all(Array.from({ length: 20 }, (_, i) => post(app, alice, siteId, 'feed-5', `Burst ${i}.`)));
    other.publish({ type: 'comment.voted', siteId, articleId: 'feed-5' });
    await other.flushed();
    await eventually(() => (heardByOther.filter((change) => change.articleId === 'feed-5').length >= 20 ? true : undefined));
    const ids = (await ChangeEntryModel.find({}, { _id: 1 }).sort({ _id: 1 }).lean<{ _id: number }[]>()).map((entry) => entry._id);
    const from = ids.indexOf(before[0]?._id ?? ids[0]);
    const recent = ids.slice(from);
    expect(recent.length).to.be.greaterThan(1);
    recent.forEach((id, i) => expect(id).to.equal(recent[0] + i));
  });

  it('keeps at least its retention of entries behind the head, deleting older ones a block at a time', async () => {
    const short = new ChangeFeed({ keep: 30, block: 10 });
    short.start();
    try {
      for (let i = 0; i < 45; i += 1) {
        short.publish({ type: 'article.changed', siteId, articleId: `feed-short-${i}` });
        await short.flushed();
      }
    } finally {
      short.stop();
    }
    const stored = await ChangeEntryModel.find({}, { _id: 1, block: 1 }).lean<{ _id: number; block?: string }[]>();
    const head = Math.max(...stored.map((entry) => entry._id));
    expect(stored.filter((entry) => entry._id >= head - 30), 'the last 30 behind the head and the head are all there').to.have.length(31);
    // What this feed wrote (blocks of 10) in a block wholly 30 behind its latest block's start is gone.
    const lastDeletable = (Math.floor((Math.floor(head / 10) * 10 - 30) / 10) - 1) * 10 + 9;
    const ownOld = stored.filter((entry) => entry.block?.startsWith('10:') && entry._id <= lastDeletable);
    expect(ownOld.map((entry) => entry._id)).to.deep.equal([]);
    expect(stored.filter((entry) => entry.block?.startsWith('10:')).length, 'it wrote 45 and deleted whole blocks').to.be.below(45);
  });

  it('lets a starting instance find the head with a few `_id` lookups, not by reading the whole log', async () => {
    // One entry each (changes published together share one), past the point where the head hint is written.
    for (let i = 0; i < 40; i += 1) {
      other.publish({ type: 'comment.voted', siteId, articleId: 'feed-6' });
      await other.flushed();
    }
    const starting = new ChangeFeed();
    const heard: Change[] = [];
    starting.subscribe((change) => {
      heard.push(change);
    });
    const operations: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => {
      if (collection === 'changefeed') operations.push(method);
    });
    try {
      await starting.poll();
    } finally {
      mongoose.set('debug', false);
    }
    // Lookups by `_id` only (the other instances' timed polls are among them); no read of the whole log.
    expect(operations.filter((method) => method !== 'findOne'), operations.join(', ')).to.deep.equal([]);
    // It starts after the head: it hears what comes next, never the log's older entries again.
    other.publish({ type: 'article.changed', siteId, articleId: 'feed-7' });
    await other.flushed();
    await starting.poll();
    expect(heard.map((change) => change.articleId)).to.deep.equal(['feed-7']);
  });
});
