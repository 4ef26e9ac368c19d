import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { publishChange } from '../../src/changes/feed';
import { CommentModel } from '../../src/comments/comment.model';
import { configurePageCache, DEFAULT_PAGE_CACHE_BYTES, pageCacheStats } from '../../src/comments/thread';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, post, threadPath, type Thread } from './helpers';

/** Counts the database operations mongoose sends while `work` runs. */
async function databaseOperations(work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  mongoose.set('debug', (collection: string, method: string) => {
    // The change feed's poll runs on its timer, whatever the request does.
    if (!(collection === 'changefeed' && method === 'findOne')) seen.push(`${collection}.${method}`);
  });
  try {
    await work();
  } finally {
    mongoose.set('debug', false);
  }
  return seen;
}

const cursorText = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('thread page cache: memory, bounds and rebuilds', () => {
  const app = testApp();
  let alice: TestUser;
  let bruno: TestUser;
  let siteId: string;

  before(async () => {
    alice = await createTestUser({ displayName: 'Alice Pages' });
    bruno = await createTestUser({ displayName: 'Bruno Pages' });
    siteId = (await createTestSite()).id;
  });

  after(() => configurePageCache(DEFAULT_PAGE_CACHE_BYTES));

  it("answers a hit from memory: no database read, beyond a signed-in reader's own votes", async () => {
    await post(app, alice, siteId, 'memory', 'Read me from memory.');
    await request(app).get(threadPath(siteId, 'memory')).expect(200);
    await request(app).get(threadPath(siteId, 'memory')).set(...bearer(bruno)).expect(200);
    expect(await databaseOperations(() => request(app).get(threadPath(siteId, 'memory')).expect(200))).to.deep.equal([]);
    // Per reader, not per page: their own votes. The session's user is remembered until a change to it is heard.
    const signedIn = await databaseOperations(() => request(app).get(threadPath(siteId, 'memory')).set(...bearer(bruno)).expect(200));
    expect(signedIn.sort()).to.deep.equal(['votes.find']);
  });

  it('patches a page in memory for a burst of readers after a post, and every one of them sees it', async () => {
    await post(app, alice, siteId, 'burst', 'Before the burst.');
    await request(app).get(threadPath(siteId, 'burst')).expect(200);
    const latest = await post(app, bruno, siteId, 'burst', 'The change the burst must see.');
    const before = pageCacheStats();
    const pages = await Promise.all(Array.from({ length: 20 }, () => request(app).get(threadPath(siteId, 'burst')).expect(200)));
    expect(pageCacheStats().builds - before.builds).to.equal(0);
    expect(pageCacheStats().patches - before.patches).to.be.within(1, 20);
    for (const page of pages) expect((page.body as Thread).comments.map((c) => c.id)).to.include(latest.id);
  });

  it('builds a page once for a burst of readers after a change it cannot patch, and every one of them sees it', async () => {
    const first = await post(app, alice, siteId, 'burst-2', 'Before the burst.');
    await request(app).get(threadPath(siteId, 'burst-2')).expect(200);
    await CommentModel.collection.updateOne({ _id: new Types.ObjectId(first.id) }, { $set: { body: 'Renamed.' } });
    // Published without the comment, as another instance's change or an account's anonymisation is.
    await publishChange({ type: 'article.changed', siteId, articleId: 'burst-2' });
    const before = pageCacheStats().builds;
    const pages = await Promise.all(Array.from({ length: 20 }, () => request(app).get(threadPath(siteId, 'burst-2')).expect(200)));
    expect(pageCacheStats().builds - before).to.equal(1);
    for (const page of pages) expect((page.body as Thread).comments[0].body).to.equal('Renamed.');
  });

  it('keeps one entry for equivalent cursors however they are spelled', async () => {
    const roots = [];
    for (let i = 0; i < 3; i += 1) roots.push(await post(app, alice, siteId, 'cursors', `Root ${i}.`));
    const first = (await request(app).get(`${threadPath(siteId, 'cursors')}?limit=1`).expect(200)).body as Thread;
    const decoded = JSON.parse(Buffer.from(first.nextCursor ?? '', 'base64url').toString('utf8')) as { s: string; k: number; i: string };
    const spellings = [
      first.nextCursor ?? '',
      cursorText({ i: decoded.i, k: decoded.k, s: decoded.s }),
      Buffer.from(JSON.stringify(decoded, null, 2)).toString('base64url'),
      Buffer.from(JSON.stringify(decoded)).toString('base64'),
    ];
    const entriesBefore = pageCacheStats().entries;
    const bodies = new Set<string>();
    for (const cursor of spellings) {
      const page = await request(app).get(`${threadPath(siteId, 'cursors')}?limit=1&cursor=${encodeURIComponent(cursor)}`).expect(200);
      bodies.add(JSON.stringify(page.body));
    }
    expect(bodies.size).to.equal(1);
    expect(pageCacheStats().entries - entriesBefore).to.equal(1);
  });

  it('stays within its byte bound under a flood of different cursors', async function () {
    this.timeout(180_000);
    const bound = 16 * 1024;
    configurePageCache(bound);
    for (let i = 0; i < 3; i += 1) await post(app, alice, siteId, 'flood', `Flood root ${i} with some text to weigh the page down a little.`);
    const base = Date.now();
    for (let i = 0; i < 40; i += 1) {
      const cursor = cursorText({ s: 'newest', k: base + i, i: new Types.ObjectId().toHexString() });
      await request(app).get(`${threadPath(siteId, 'flood')}?sort=newest&cursor=${cursor}`).expect(200);
      expect(pageCacheStats().bytes).to.be.at.most(bound);
    }
    expect(pageCacheStats().entries).to.be.greaterThan(1);
  });

  it("shows a site's settings change at once, from the change it publishes", async () => {
    await post(app, alice, siteId, 'settings', 'Settings follow.');
    const page = async () => (await request(app).get(threadPath(siteId, 'settings')).expect(200)).body as { editWindowSeconds: number };
    const before = (await page()).editWindowSeconds;
    await mongoose.connection.collection('sites').updateOne({ _id: new Types.ObjectId(siteId) }, { $set: { 'settings.editWindowSeconds': before + 7 } });
    expect((await page()).editWindowSeconds).to.equal(before);
    await publishChange({ type: 'site.changed', siteId });
    expect((await page()).editWindowSeconds).to.equal(before + 7);
  });
});
