import { expect } from 'chai';
import request from 'supertest';
import { ArticleModel, articleKey } from '../../src/comments/article.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { allIds, bearer, post, threadPath, type PostedComment, type Thread } from './helpers';

/**
 * A reader with held comments gets the cached public page with their own held comments merged in.
 * The oracle is the page built from scratch for them, which is what an article without an article
 * document still gets: every merged page must equal it exactly.
 */
describe('thread pages for a reader with held comments', () => {
  const app = testApp();
  let alice: TestUser;
  let bruno: TestUser;
  let carla: TestUser;
  let dave: TestUser;
  let siteId: string;

  before(async () => {
    alice = await createTestUser({ displayName: 'Alice Held' });
    bruno = await createTestUser({ displayName: 'Bruno Held' });
    carla = await createTestUser({ displayName: 'Carla Held' });
    dave = await createTestUser({ displayName: 'Dave Held' });
    // "teapot" holds a comment for review.
    siteId = (await createTestSite({ suspectWords: ['teapot'] })).id;
  });

  async function read(articleId: string, query: string, viewer?: TestUser): Promise<Thread> {
    const req = request(app).get(`${threadPath(siteId, articleId)}${query}`);
    if (viewer) req.set(...bearer(viewer));
    return (await req.expect(200)).body as Thread;
  }

  async function vote(user: TestUser, commentId: string): Promise<void> {
    await request(app).put(`/api/v1/comments/${commentId}/vote`).set(...bearer(user)).send({ value: 1 }).expect(200);
  }

  /** Carla's comments say "teapot" and are held; everyone else's are published. */
  async function seed(articleId: string) {
    const say = async (user: TestUser, body: string, parent?: PostedComment) => {
      const comment = await post(app, user, siteId, articleId, body, parent?.id);
      expect(comment.status).to.equal(user === carla ? 'pending' : 'approved');
      return comment;
    };
    const r0 = await say(alice, 'The lighthouse keeper retired.');
    const r1 = await say(carla, 'Held root: the teapot in the lighthouse.');
    const r2 = await say(bruno, 'Who keeps the light now?');
    const a0 = await say(alice, 'Nobody yet.', r0);
    const a0a = await say(bruno, 'The council is hiring.', a0);
    const p0 = await say(carla, 'Held under a deep reply: bring a teapot.', a0a);
    const r3 = await say(alice, 'The light is automatic now.');
    const r4 = await say(carla, 'Held root: teapot number two.');
    const p1 = await say(carla, 'Held reply to my own held root, teapot.', r4);
    const p1a = await say(carla, 'Held reply to my held reply, teapot.', p1);
    const r5 = await say(bruno, 'The foghorn too?');
    const t0 = await say(alice, 'Yes, since spring.', r5);
    const p2 = await say(carla, 'Held under a reply that gets deleted, teapot.', t0);
    const r6 = await say(alice, 'A museum is planned.');
    const r7 = await say(carla, 'Held root, the last one: teapot museum.');
    const p3 = await say(carla, 'Held reply among published ones, teapot.', r2);
    const a1 = await say(alice, 'A volunteer, I heard.', r2);
    // Scores reorder `top` so that held roots fall on the first, middle and last pages there too.
    await vote(bruno, r3.id);
    await vote(dave, r3.id);
    await vote(alice, r2.id);
    await vote(bruno, a1.id);
    // A tombstone stays only for the reader whose held reply hangs under it.
    await request(app).delete(`/api/v1/comments/${t0.id}`).set(...bearer(alice)).expect(204);
    const held = [r1, p0, r4, p1, p1a, p2, r7, p3];
    const published = [r0, r2, a0, a0a, r3, r5, r6, a1];
    return { held, published, tombstone: t0 };
  }

  /** Every page from the first, following nextCursor. */
  async function pages(articleId: string, query: string, viewer?: TestUser): Promise<Thread[]> {
    const all: Thread[] = [];
    let cursor: string | null = null;
    do {
      const page = await read(articleId, cursor ? `${query}&cursor=${encodeURIComponent(cursor)}` : query, viewer);
      all.push(page);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /** The page built from scratch for this reader: what an article without an article document gets. */
  async function builtFromScratch(articleId: string, query: string, viewer: TestUser): Promise<Thread> {
    await ArticleModel.deleteOne({ _id: articleKey(siteId, articleId) });
    return read(articleId, query, viewer);
  }

  function parentsOf(comments: PostedComment[], parentId: string | null, into = new Map<string, string | null>()) {
    for (const comment of comments) {
      into.set(comment.id, parentId);
      parentsOf(comment.replies, comment.id, into);
    }
    return into;
  }

  let articleCount = 0;
  for (const sort of ['oldest', 'newest', 'top'] as const) {
    for (const limit of [2, 3]) {
      it(`pages the ${sort} order by ${limit} roots with each held comment once, in its place, for its author only`, async () => {
        articleCount += 1;
        const articleId = `held-${sort}-${limit}-${articleCount}`;
        const { held, published, tombstone } = await seed(articleId);
        const query = `?sort=${sort}&limit=${limit}`;

        const own = await pages(articleId, query, carla);
        const seen = own.flatMap((page) => allIds(page.comments));
        const expected = [...held, ...published, tombstone].map((comment) => comment.id);
        expect([...seen].sort()).to.deep.equal([...expected].sort());
        expect(new Set(seen).size).to.equal(seen.length);
        const parents = new Map(own.flatMap((page) => [...parentsOf(page.comments, null)]));
        for (const comment of [...held, ...published]) expect(parents.get(comment.id), comment.body).to.equal(comment.parentId);
        for (const page of own) {
          expect(page.comments.length).to.be.at.most(limit);
          expect(page.total).to.equal(published.length);
        }

        // Each merged page is exactly the page built for Carla from scratch, cursors included.
        let cursor: string | null = null;
        for (const page of own) {
          const pageQuery = cursor ? `${query}&cursor=${encodeURIComponent(cursor)}` : query;
          expect(await read(articleId, pageQuery, carla)).to.deep.equal(page);
          expect(await builtFromScratch(articleId, pageQuery, carla)).to.deep.equal(page);
          cursor = page.nextCursor;
        }

        const publishedIds = published.map((comment) => comment.id).sort();
        for (const reader of [dave, undefined]) {
          const theirs = (await pages(articleId, query, reader)).flatMap((page) => allIds(page.comments));
          expect([...theirs].sort()).to.deep.equal(publishedIds);
        }
      });
    }
  }

  it('shows the public page again once the held comments are decided', async () => {
    const articleId = 'held-decided';
    const open = await post(app, alice, siteId, articleId, 'Tide tables for the week.');
    const heldRoot = await post(app, carla, siteId, articleId, 'My teapot floats.');
    expect(allIds((await read(articleId, '', carla)).comments)).to.deep.equal([open.id, heldRoot.id]);
    await request(app).delete(`/api/v1/comments/${heldRoot.id}`).set(...bearer(carla)).expect(204);
    expect(await read(articleId, '', carla)).to.deep.equal(await read(articleId, ''));
  });
});
