import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { ChangeFeed } from '../../src/changes/feed';
import { CommentModel } from '../../src/comments/comment.model';
import { configurePageCache, DEFAULT_PAGE_CACHE_BYTES, pageCacheStats, readThreadPage } from '../../src/comments/thread';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, post, type PostedComment } from './helpers';

const SORTS = ['oldest', 'newest', 'top'] as const;
type Sort = (typeof SORTS)[number];

/**
 * A write made in this process patches the cached pages of its article in memory. Each step below
 * reads every page of every sort (two roots a page, so boundaries and cursors are exercised), makes
 * one write, reads them all again (patched), then empties the cache and reads them built afresh from
 * the database: both must be byte for byte the same.
 */
describe('thread pages patched in memory after a write', () => {
  const app = testApp();
  const article = 'patched-pages';
  let siteId: string;
  let alice: TestUser;
  let bruno: TestUser;
  let carla: TestUser;
  let moderator: TestUser;

  before(async () => {
    alice = await createTestUser({ displayName: 'Alice Patch' });
    bruno = await createTestUser({ displayName: 'Bruno Patch' });
    carla = await createTestUser({ displayName: 'Carla Patch' });
    // "kettle" holds a comment for review.
    siteId = (await createTestSite({ suspectWords: ['kettle'] })).id;
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
  });

  after(() => configurePageCache(DEFAULT_PAGE_CACHE_BYTES));

  const query = (sort: Sort, cursor?: string) => ({ siteId, articleId: article, sort, limit: 2, viewer: null, ...(cursor ? { cursor } : {}) });

  /** Every page of one sort, following the cursors, as sent. */
  async function pagesOf(sort: Sort): Promise<string[]> {
    const bodies: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i += 1) {
      const body = (await readThreadPage(query(sort, cursor))).body.toString('utf8');
      bodies.push(body);
      cursor = (JSON.parse(body) as { nextCursor: string | null }).nextCursor ?? undefined;
      if (!cursor) break;
    }
    return bodies;
  }

  async function allPages(): Promise<Record<Sort, string[]>> {
    return { oldest: await pagesOf('oldest'), newest: await pagesOf('newest'), top: await pagesOf('top') };
  }

  /**
   * Runs one write between a warm cache and two reads: the first page of each sort must come from a
   * patch when `patched` is set (no build), and every page must equal a fresh build.
   */
  async function step(name: string, write: () => Promise<unknown>, patched: boolean): Promise<void> {
    await allPages();
    await write();
    for (const sort of SORTS) {
      const before = pageCacheStats();
      await readThreadPage(query(sort));
      const after = pageCacheStats();
      if (patched) {
        expect(after.builds - before.builds, `${name}: builds of the first ${sort} page`).to.equal(0);
        expect(after.patches - before.patches, `${name}: patches of the first ${sort} page`).to.equal(1);
      }
    }
    const fromPatches = await allPages();
    configurePageCache(DEFAULT_PAGE_CACHE_BYTES);
    const fresh = await allPages();
    for (const sort of SORTS) expect(fromPatches[sort], `${name}, sort ${sort}`).to.deep.equal(fresh[sort]);
  }

  const edit = (user: TestUser, id: string, body: string) =>
    request(app).patch(`/api/v1/comments/${id}`).set(...bearer(user)).send({ body }).expect(200);
  const vote = (user: TestUser, id: string, value: number) =>
    request(app).put(`/api/v1/comments/${id}/vote`).set(...bearer(user)).send({ value }).expect(200);
  const remove = (user: TestUser, id: string) => request(app).delete(`/api/v1/comments/${id}`).set(...bearer(user)).expect(204);
  const decide = (id: string, action: 'approve' | 'reject') =>
    request(app)
      .post(`/api/v1/comments/${id}/${action}`)
      .set(...bearer(moderator))
      .send(action === 'reject' ? { reason: 'off topic' } : {})
      .expect(200);

  it('gives the same pages as a fresh build after posts, replies, edits, votes, deletes and moderator decisions', async function () {
    this.timeout(240_000);
    const roots: PostedComment[] = [];
    for (let i = 0; i < 4; i += 1) roots.push(await post(app, alice, siteId, article, `Harbour note ${i}.`));
    const replies: PostedComment[] = [];

    await step('a root posted', async () => roots.push(await post(app, bruno, siteId, article, 'A late harbour note.')), true);
    await step('a reply', async () => replies.push(await post(app, carla, siteId, article, 'Replying to the first.', roots[0].id)), true);
    await step('a reply to a reply', async () => replies.push(await post(app, bruno, siteId, article, 'And to that.', replies[0].id)), true);
    await step('a reply on a later page', async () => replies.push(await post(app, carla, siteId, article, 'On the last root.', roots[4].id)), true);
    await step('a root edited', () => edit(alice, roots[1].id, 'Harbour note 1, corrected.'), true);
    await step('a reply edited', () => edit(carla, replies[0].id, 'Replying to the first, again.'), true);
    await step('a vote that reorders the top sort', () => vote(bruno, roots[3].id, 1), true);
    await step('a vote on a reply', () => vote(alice, replies[1].id, 1), true);
    await step('a vote taken back', () => vote(bruno, roots[3].id, 0), true);
    await step('a root with replies deleted (tombstone)', () => remove(alice, roots[0].id), true);
    await step('a reply deleted', () => remove(carla, replies[2].id), true);
    await step('a root without replies deleted', () => remove(alice, roots[2].id), true);
    const held = await post(app, carla, siteId, article, 'The kettle is on.');
    expect(held.status).to.equal('pending');
    await step('a held root approved', () => decide(held.id, 'approve'), false);
    await step('an approved root rejected', () => decide(roots[1].id, 'reject'), false);
    const heldReply = await post(app, carla, siteId, article, 'A kettle reply.', roots[3].id);
    await step('a held reply approved', () => decide(heldReply.id, 'approve'), true);
    await step('an edit sent back to review', () => edit(bruno, replies[1].id, 'Now with a kettle.'), true);
    await step('a held post', () => post(app, bruno, siteId, article, 'Another kettle.'), true);
  });

  it("patches pages from another instance's change by reading the comment it names, not the page", async () => {
    const other = new ChangeFeed();
    other.start();
    try {
      const remote = 'patched-remote';
      const first = await post(app, alice, siteId, remote, 'Written here.');
      await post(app, bruno, siteId, remote, 'Also written here.');
      const page = async () => JSON.parse((await readThreadPage({ siteId, articleId: remote, sort: 'oldest', limit: 20, viewer: null })).body.toString('utf8')) as {
        comments: { body: string }[];
      };
      expect((await page()).comments[0].body).to.equal('Written here.');
      // Another instance's transition: the write (next revision), then its notice through the shared log.
      await CommentModel.collection.updateOne(
        { _id: new Types.ObjectId(first.id) },
        { $set: { body: 'Edited on the other instance.', html: '<p>Edited on the other instance.</p>' }, $inc: { revision: 1 } },
      );
      const builds = pageCacheStats().builds;
      other.publish({ type: 'comment.edited', siteId, articleId: remote, commentId: first.id, status: 'approved' });
      let body = '';
      for (let i = 0; i < 100 && body !== 'Edited on the other instance.'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        body = (await page()).comments[0].body;
      }
      expect(body).to.equal('Edited on the other instance.');
      expect(pageCacheStats().builds - builds).to.equal(0);
      const fromPatch = await page();
      configurePageCache(DEFAULT_PAGE_CACHE_BYTES);
      expect(await page()).to.deep.equal(fromPatch);
    } finally {
      other.stop();
    }
  });
});
