import { expect } from 'chai';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, post, threadPath } from '../comments/helpers';

interface VotedComment {
  id: string;
  viewerVote?: number;
  replies: VotedComment[];
}

/** The service calls the widget makes beyond the public contract: refresh, viewer votes, staff, preview. */
describe('widget support endpoints', () => {
  const app = testApp();
  let siteId: string;
  let moderator: TestUser;

  before(async () => {
    siteId = (await createTestSite()).id;
    // Before any page of the site is read: staff lists are kept for a minute.
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
  });

  describe('POST /api/v1/auth/refresh', () => {
    it('exchanges a valid token for a fresh one that works', async () => {
      const reader = await createTestUser({ displayName: 'Refreshing Rook' });
      const res = await request(app).post('/api/v1/auth/refresh').set(...bearer(reader)).expect(200);
      expect(res.body.token).to.be.a('string').and.not.equal(reader.token);
      expect(res.body.user).to.include({ id: reader.id, displayName: 'Refreshing Rook' });
      await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.token as string}`).expect(200);
    });

    it('refuses a signed-out token, and the fresh token ends with the sign-out too', async () => {
      const reader = await createTestUser();
      const fresh = (await request(app).post('/api/v1/auth/refresh').set(...bearer(reader)).expect(200)).body.token as string;
      await request(app).post('/api/v1/auth/logout').set(...bearer(reader)).expect(204);
      await request(app).post('/api/v1/auth/refresh').set(...bearer(reader)).expect(401);
      await request(app).post('/api/v1/auth/refresh').set('Authorization', `Bearer ${fresh}`).expect(401);
    });

    it('refuses a banned reader and a request without a token', async () => {
      const reader = await createTestUser();
      await UserModel.updateOne({ _id: reader.id }, { $set: { banned: true } });
      await request(app).post('/api/v1/auth/refresh').set(...bearer(reader)).expect(401);
      await request(app).post('/api/v1/auth/refresh').expect(401);
    });
  });

  describe('thread pages for a signed-in viewer', () => {
    let author: TestUser;
    let voter: TestUser;
    const article = 'viewer-votes';
    let ids: string[] = [];

    before(async () => {
      author = await createTestUser();
      voter = await createTestUser();
      const first = await post(app, author, siteId, article, 'First, to be voted up.');
      const second = await post(app, author, siteId, article, 'Second, to be voted down.');
      const reply = await post(app, author, siteId, article, 'A reply, left alone.', first.id);
      ids = [first.id, second.id, reply.id];
    });

    it("carries the viewer's own votes, merged after the cached public page", async () => {
      // Warm the public page first, so the votes must be merged after the cache.
      await request(app).get(threadPath(siteId, article)).expect(200);
      await request(app).put(`/api/v1/comments/${ids[0]}/vote`).set(...bearer(voter)).send({ value: 1 }).expect(200);
      await request(app).put(`/api/v1/comments/${ids[1]}/vote`).set(...bearer(voter)).send({ value: -1 }).expect(200);
      const mine = (await request(app).get(threadPath(siteId, article)).set(...bearer(voter)).expect(200)).body as { comments: VotedComment[] };
      expect(mine.comments.map((c) => c.viewerVote)).to.deep.equal([1, -1]);
      expect(mine.comments[0].replies[0].viewerVote, 'no vote, no field').to.equal(undefined);

      const others = (await request(app).get(threadPath(siteId, article)).set(...bearer(author)).expect(200)).body as { comments: VotedComment[] };
      expect(others.comments.map((c) => c.viewerVote)).to.deep.equal([undefined, undefined]);
      const anonymous = (await request(app).get(threadPath(siteId, article)).expect(200)).body as { comments: VotedComment[] };
      expect(anonymous.comments.map((c) => c.viewerVote)).to.deep.equal([undefined, undefined]);
    });

    it('gives a page with different votes a different validator', async () => {
      const before = await request(app).get(threadPath(siteId, article)).set(...bearer(voter)).expect(200);
      await request(app).put(`/api/v1/comments/${ids[0]}/vote`).set(...bearer(voter)).send({ value: 0 }).expect(200);
      const after = await request(app)
        .get(threadPath(siteId, article))
        .set(...bearer(voter))
        .set('If-None-Match', before.headers.etag as string)
        .expect(200);
      expect((after.body as { comments: VotedComment[] }).comments[0].viewerVote).to.equal(undefined);
    });

    it("names the page's staff authors, so the widget can badge their comments", async () => {
      const otherSite = (await createTestSite()).id;
      const elsewhere = await createTestUser({ role: 'moderator', moderatedSiteIds: [otherSite] });
      const without = (await request(app).get(threadPath(siteId, 'staff-list')).expect(200)).body as { staff?: string[] };
      expect(without.staff, 'no staff author, no list').to.equal(undefined);
      await post(app, moderator, siteId, 'staff-list', 'A word from the desk.');
      await post(app, elsewhere, siteId, 'staff-list', 'Only a reader here.');
      await post(app, author, siteId, 'staff-list', 'A reader.');
      const page = (await request(app).get(threadPath(siteId, 'staff-list')).expect(200)).body as { staff: string[] };
      expect(page.staff).to.deep.equal([moderator.id]);
    });
  });

  describe('POST /api/v1/sites/:siteId/comments/preview', () => {
    it("renders a draft with the service's own renderer and sanitizer", async () => {
      const res = await request(app)
        .post(`/api/v1/sites/${siteId}/comments/preview`)
        .send({ body: '> quoted\n\n**bold** and `code` <script>alert(1)</script>' })
        .expect(200);
      expect(res.body.html).to.include('<blockquote>').and.include('<strong>bold</strong>').and.include('<code>code</code>');
      expect(res.body.html).not.to.include('<script>');
    });

    it('refuses an empty or too long draft', async () => {
      await request(app).post(`/api/v1/sites/${siteId}/comments/preview`).send({ body: ' ' }).expect(400);
      await request(app).post(`/api/v1/sites/${siteId}/comments/preview`).send({ body: 'x'.repeat(5001) }).expect(400);
      await request(app).post(`/api/v1/sites/${siteId}/comments/preview`).send({ body: 'x', extra: 1 }).expect(400);
    });
  });
});
