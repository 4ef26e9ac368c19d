import { expect } from 'chai';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { updateSiteSettings } from '../../src/sites/service';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { allIds, bearer, post, threadPath, type PostedComment } from './helpers';

describe('reading threads over HTTP', () => {
  const app = testApp();
  let alice: TestUser;
  let bruno: TestUser;

  before(async () => {
    alice = await createTestUser({ displayName: 'Alice' });
    bruno = await createTestUser({ displayName: 'Bruno' });
  });

  async function readThread(siteId: string, articleId: string, query = '', viewer?: TestUser) {
    const req = request(app).get(`${threadPath(siteId, articleId)}${query}`);
    if (viewer) req.set(...bearer(viewer));
    const res = await req.expect(200);
    return res.body as { comments: PostedComment[]; nextCursor: string | null; total: number };
  }

  it('returns roots with nested replies, and the approved total', async () => {
    const site = await createTestSite();
    const first = await post(app, alice, site.id, 'tree', 'First root.');
    const second = await post(app, bruno, site.id, 'tree', 'Second root.');
    const reply = await post(app, bruno, site.id, 'tree', 'Reply to first.', first.id);
    const nested = await post(app, alice, site.id, 'tree', 'Reply to the reply.', reply.id);
    const thread = await readThread(site.id, 'tree');
    expect(thread.total).to.equal(4);
    expect(thread.nextCursor).to.equal(null);
    expect(thread.comments.map((c) => c.id)).to.deep.equal([first.id, second.id]);
    expect(thread.comments[0].replies.map((c) => c.id)).to.deep.equal([reply.id]);
    expect(thread.comments[0].replies[0].replies.map((c) => c.id)).to.deep.equal([nested.id]);
    expect(thread.comments[1].replies).to.deep.equal([]);
    const other = await readThread(site.id, 'another-article');
    expect(other).to.deep.equal({ comments: [], nextCursor: null, total: 0, editWindowSeconds: 300, allowGuests: false });
  });

  it("tells readers the site's current edit window, also right after it changes", async () => {
    const site = await createTestSite({ editWindowSeconds: 900 });
    await post(app, alice, site.id, 'window', 'A comment to read.');
    const before = await readThread(site.id, 'window');
    expect(before).to.include({ editWindowSeconds: 900 });
    await updateSiteSettings(site.id, { editWindowSeconds: 60 });
    expect(await readThread(site.id, 'window')).to.include({ editWindowSeconds: 60 });
  });

  it('tells readers whether guests may post, also right after the setting changes', async () => {
    const site = await createTestSite({ allowGuests: true });
    await post(app, alice, site.id, 'guests', 'A comment to read.');
    expect(await readThread(site.id, 'guests')).to.include({ allowGuests: true });
    await updateSiteSettings(site.id, { requireVerifiedEmail: true });
    expect(await readThread(site.id, 'guests')).to.include({ allowGuests: false });
    await updateSiteSettings(site.id, { requireVerifiedEmail: false, allowGuests: false });
    expect(await readThread(site.id, 'guests')).to.include({ allowGuests: false });
    await updateSiteSettings(site.id, { allowGuests: true });
    expect(await readThread(site.id, 'guests')).to.include({ allowGuests: true });
  });

  it('sorts roots oldest, newest and top first', async () => {
    const site = await createTestSite();
    const voters = await Promise.all([createTestUser(), createTestUser()]);
    const a = await post(app, alice, site.id, 'sorted', 'Root A.');
    const b = await post(app, alice, site.id, 'sorted', 'Root B.');
    const c = await post(app, alice, site.id, 'sorted', 'Root C.');
    for (const voter of voters) {
      await request(app).put(`/api/v1/comments/${b.id}/vote`).set(...bearer(voter)).send({ value: 1 }).expect(200);
    }
    await request(app).put(`/api/v1/comments/${c.id}/vote`).set(...bearer(voters[0])).send({ value: -1 }).expect(200);
    const ids = async (sort: string) => (await readThread(site.id, 'sorted', `?sort=${sort}`)).comments.map((x) => x.id);
    expect(await ids('oldest')).to.deep.equal([a.id, b.id, c.id]);
    expect(await ids('newest')).to.deep.equal([c.id, b.id, a.id]);
    expect(await ids('top')).to.deep.equal([b.id, a.id, c.id]);
    const top = await readThread(site.id, 'sorted', '?sort=top');
    expect(top.comments[0].score).to.equal(2);
  });

  it('shows a pending comment only to its author', async () => {
    const site = await createTestSite({ premoderation: 'all' });
    const pending = await post(app, alice, site.id, 'pending', 'Held for review.');
    expect(pending.status).to.equal('pending');
    const own = await readThread(site.id, 'pending', '', alice);
    expect(own.comments.map((c) => c.id)).to.deep.equal([pending.id]);
    expect(own.comments[0].status).to.equal('pending');
    expect(own.total).to.equal(0);
    expect((await readThread(site.id, 'pending', '', bruno)).comments).to.deep.equal([]);
    expect((await readThread(site.id, 'pending')).comments).to.deep.equal([]);
  });

  it('keeps a deleted comment as a tombstone only while it has visible replies', async () => {
    const site = await createTestSite();
    const parent = await post(app, alice, site.id, 'tombstones', 'Parent with a reply.');
    const reply = await post(app, bruno, site.id, 'tombstones', 'A reply that stays.', parent.id);
    const lonely = await post(app, alice, site.id, 'tombstones', 'No replies here.');
    await request(app).delete(`/api/v1/comments/${parent.id}`).set(...bearer(alice)).expect(204);
    await request(app).delete(`/api/v1/comments/${lonely.id}`).set(...bearer(alice)).expect(204);
    const thread = await readThread(site.id, 'tombstones');
    expect(thread.comments.map((c) => c.id)).to.deep.equal([parent.id]);
    expect(thread.comments[0]).to.include({ status: 'deleted', body: '', html: '' });
    expect(thread.comments[0].author).to.deep.equal({ id: null, displayName: '[deleted]', guest: false });
    expect(thread.comments[0].replies.map((c) => c.id)).to.deep.equal([reply.id]);
    expect(thread.total).to.equal(1);
  });

  for (const sort of ['oldest', 'newest', 'top']) {
    it(`pages ${sort} roots with no duplicates and no gaps while comments arrive`, async () => {
      const site = await createTestSite();
      const originals: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const root = await post(app, alice, site.id, 'paging', `Original root ${i}.`);
        originals.push(root.id);
        if (i % 2 === 0) await post(app, bruno, site.id, 'paging', `Reply under ${i}.`, root.id);
      }
      const seenRoots: string[] = [];
      const added: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?sort=${sort}&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await readThread(site.id, 'paging', query);
        expect(page.comments.length).to.be.at.most(3);
        seenRoots.push(...page.comments.map((c) => c.id));
        cursor = page.nextCursor;
        pages += 1;
        // A new root arrives between every two pages.
        added.push((await post(app, bruno, site.id, 'paging', `Arrived after page ${pages}.`)).id);
      } while (cursor && pages < 10);
      expect(new Set(seenRoots).size, 'no duplicates').to.equal(seenRoots.length);
      expect(seenRoots, 'no gaps').to.include.members(originals);
      for (const id of seenRoots) expect([...originals, ...added]).to.include(id);
    });
  }

  it('returns the replies of every root on the page', async () => {
    const site = await createTestSite();
    const root = await post(app, alice, site.id, 'replies', 'Root.');
    const replies: string[] = [];
    for (let i = 0; i < 4; i += 1) replies.push((await post(app, bruno, site.id, 'replies', `Reply ${i}.`, root.id)).id);
    const thread = await readThread(site.id, 'replies', '?limit=1');
    expect(allIds(thread.comments)).to.deep.equal([root.id, ...replies]);
  });

  it('refuses invalid queries and unknown sites', async () => {
    const site = await createTestSite();
    const path = threadPath(site.id, 'queries');
    await request(app).get(`${path}?sort=random`).expect(400);
    await request(app).get(`${path}?limit=0`).expect(400);
    await request(app).get(`${path}?limit=101`).expect(400);
    await request(app).get(`${path}?limit=ten`).expect(400);
    await request(app).get(`${path}?cursor=not-a-cursor`).expect(400);
    await request(app).get(`${path}?page=2`).expect(400);
    const forged = Buffer.from(JSON.stringify({ s: 'oldest', k: { $gt: 0 }, i: 'x' })).toString('base64url');
    await request(app).get(`${path}?cursor=${forged}`).expect(400);
    await post(app, alice, site.id, 'queries', 'One.');
    await post(app, alice, site.id, 'queries', 'Two.');
    const first = await readThread(site.id, 'queries', '?limit=1&sort=newest');
    expect(first.nextCursor).to.be.a('string');
    await request(app).get(`${path}?sort=top&cursor=${first.nextCursor}`).expect(400);
    await request(app).get(threadPath('0123456789abcdef01234567', 'queries')).expect(404);
    await request(app).get(threadPath('nope', 'queries')).expect(404);
  });

  describe('counts', () => {
    it('counts approved comments per article in one call', async () => {
      const site = await createTestSite();
      const root = await post(app, alice, site.id, 'count-a', 'One.');
      await post(app, bruno, site.id, 'count-a', 'Two.', root.id);
      await post(app, alice, site.id, 'count-b', 'Three.');
      const deleted = await post(app, alice, site.id, 'count-b', 'Deleted.');
      await request(app).delete(`/api/v1/comments/${deleted.id}`).set(...bearer(alice)).expect(204);
      await CommentModel.create({
        siteId: site.id,
        articleId: 'count-b',
        author: { displayName: 'Held' },
        body: 'Pending one.',
        status: 'pending',
      });
      const res = await request(app).get(`/api/v1/sites/${site.id}/counts?articles=count-a,count-b,count-c`).expect(200);
      expect(res.body).to.deep.equal({ 'count-a': 2, 'count-b': 1, 'count-c': 0 });
    });

    it('validates the article list and the site', async () => {
      const site = await createTestSite();
      await request(app).get(`/api/v1/sites/${site.id}/counts`).expect(400);
      await request(app).get(`/api/v1/sites/${site.id}/counts?articles=`).expect(400);
      await request(app).get(`/api/v1/sites/${site.id}/counts?articles=ok,bad%20id`).expect(400);
      const many = Array.from({ length: 101 }, (_, i) => `a${i}`).join(',');
      await request(app).get(`/api/v1/sites/${site.id}/counts?articles=${many}`).expect(400);
      await request(app).get('/api/v1/sites/0123456789abcdef01234567/counts?articles=a').expect(404);
    });

    it('answers a long or foreign-character article list with a 400 that says why, never a 431', async () => {
      const site = await createTestSite();
      // Characters that percent-encode to many bytes used to push the request line past 16 KB (431).
      const wide = await request(app).get(`/api/v1/sites/${site.id}/counts?articles=${encodeURIComponent('ü'.repeat(1500))}`).expect(400);
      expect(wide.body.errors[0]).to.deep.include({ path: 'articles' });
      expect(wide.body.errors[0].message).to.match(/article ids .* separated by commas/);
      const long = await request(app).get(`/api/v1/sites/${site.id}/counts?articles=${'a,'.repeat(4100)}`).expect(400);
      expect(long.body.errors[0].message).to.match(/at most 8000 characters/);
    });
  });
});
