import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, insertComment } from './helpers';

describe('moderation queue and decisions', () => {
  let app: Express;
  let siteId: string;
  let otherSiteId: string;
  let moderator: TestUser;
  let otherModerator: TestUser;
  let admin: TestUser;
  let commenter: TestUser;

  before(async () => {
    app = testApp();
    siteId = (await createTestSite()).id;
    otherSiteId = (await createTestSite()).id;
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId], displayName: 'Mod Maria' });
    otherModerator = await createTestUser({ role: 'moderator', moderatedSiteIds: [otherSiteId] });
    admin = await createTestUser({ role: 'admin' });
    commenter = await createTestUser();
  });

  describe('GET /sites/:siteId/moderation/queue', () => {
    it('lists pending comments oldest first with reasons and pages by cursor', async () => {
      const site = (await createTestSite()).id;
      const ids = [];
      for (let i = 0; i < 5; i += 1) {
        ids.push(await insertComment(site, { reasons: [{ code: 'profanity', detail: 'crap' }] }));
      }
      await insertComment(site, { status: 'approved' });
      await insertComment(site, { status: 'rejected' });

      const first = await request(app).get(`/api/v1/sites/${site}/moderation/queue?limit=3`).set(bearer(admin.token));
      expect(first.status, JSON.stringify(first.body)).to.equal(200);
      expect(first.body.items.map((c: { id: string }) => c.id)).to.deep.equal(ids.slice(0, 3));
      expect(first.body.items[0].reasons).to.deep.equal([{ code: 'profanity', detail: 'crap' }]);
      expect(first.body.items[0].flags).to.deep.equal([]);
      expect(first.body.nextCursor).to.be.a('string');

      const second = await request(app)
        .get(`/api/v1/sites/${site}/moderation/queue`)
        .query({ limit: 3, cursor: first.body.nextCursor })
        .set(bearer(admin.token));
      expect(second.status).to.equal(200);
      expect(second.body.items.map((c: { id: string }) => c.id)).to.deep.equal(ids.slice(3));
      expect(second.body.nextCursor).to.equal(null);

      const rejected = await request(app).get(`/api/v1/sites/${site}/moderation/queue?status=rejected`).set(bearer(admin.token));
      expect(rejected.body.items).to.have.length(1);
      expect(rejected.body.items[0].status).to.equal('rejected');
    });

    it('refuses a cursor from another queue and unknown query fields', async () => {
      const bad = await request(app)
        .get(`/api/v1/sites/${siteId}/moderation/queue?cursor=bm90LWEtY3Vyc29y`)
        .set(bearer(moderator.token));
      expect(bad.status).to.equal(400);
      const unknown = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?sort=top`).set(bearer(moderator.token));
      expect(unknown.status).to.equal(400);
      const status = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?status=approved`).set(bearer(moderator.token));
      expect(status.status).to.equal(400);
    });

    it('is for moderators of the site and admins only', async () => {
      expect((await request(app).get(`/api/v1/sites/${siteId}/moderation/queue`)).status).to.equal(401);
      expect((await request(app).get(`/api/v1/sites/${siteId}/moderation/queue`).set(bearer(commenter.token))).status).to.equal(403);
      expect(
        (await request(app).get(`/api/v1/sites/${siteId}/moderation/queue`).set(bearer(otherModerator.token))).status,
      ).to.equal(403);
      expect((await request(app).get(`/api/v1/sites/${siteId}/moderation/queue`).set(bearer(moderator.token))).status).to.equal(200);
      expect(
        (await request(app).get('/api/v1/sites/0123456789abcdef01234567/moderation/queue').set(bearer(admin.token))).status,
      ).to.equal(404);
    });
  });

  describe('approve and reject', () => {
    it('approves a held comment and records who did it', async () => {
      const author = await createTestUser();
      const id = await insertComment(siteId, { authorId: author.id, reasons: [{ code: 'first-comment' }] });
      const res = await request(app)
        .post(`/api/v1/comments/${id}/approve`)
        .set(bearer(moderator.token))
        .send({ note: 'fine on reflection' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id, status: 'approved', previousStatus: 'pending', flagged: false });

      const history = await request(app).get(`/api/v1/comments/${id}/history`).set(bearer(moderator.token));
      expect(history.status).to.equal(200);
      expect(history.body.actions).to.have.length(1);
      expect(history.body.actions[0]).to.include({ action: 'approved', note: 'fine on reflection' });
      expect(history.body.actions[0].actor).to.deep.equal({ id: moderator.id, displayName: 'Mod Maria' });

      const again = await request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(moderator.token)).send({});
      expect(again.status).to.equal(409);
    });

    it('rejects a pending or published comment with a reason; rejecting twice is a conflict', async () => {
      const id = await insertComment(siteId, { status: 'approved' });
      const res = await request(app)
        .post(`/api/v1/comments/${id}/reject`)
        .set(bearer(admin.token))
        .send({ reason: 'personal attack', note: 'second warning' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'rejected', previousStatus: 'approved' });
      const action = await ModerationActionModel.findOne({ commentId: id }).lean();
      expect(action).to.include({ action: 'rejected', reason: 'personal attack', note: 'second warning' });
      const again = await request(app).post(`/api/v1/comments/${id}/reject`).set(bearer(admin.token)).send({ reason: 'again' });
      expect(again.status).to.equal(409);
      const missingReason = await request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(admin.token)).send({ reason: 1 });
      expect(missingReason.status).to.equal(400);
    });

    it('lets exactly one of two moderators acting at once win; the other gets 409', async () => {
      const id = await insertComment(siteId);
      const responses = await Promise.all([
        request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(moderator.token)).send({}),
        request(app).post(`/api/v1/comments/${id}/reject`).set(bearer(admin.token)).send({ reason: 'spam' }),
      ]);
      expect(responses.map((r) => r.status).sort()).to.deep.equal([200, 409]);
      const stored = await CommentModel.findById(id).lean();
      expect(stored?.revision).to.equal(1);
      expect(await ModerationActionModel.countDocuments({ commentId: id })).to.equal(1);
    });

    it('answers 404 for unknown comments and 403 to people who do not moderate its site', async () => {
      const missing = await request(app)
        .post('/api/v1/comments/0123456789abcdef01234567/approve')
        .set(bearer(admin.token))
        .send({});
      expect(missing.status).to.equal(404);
      const id = await insertComment(siteId);
      const other = await request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(otherModerator.token)).send({});
      expect(other.status).to.equal(403);
      const reader = await request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(commenter.token)).send({});
      expect(reader.status).to.equal(403);
      const anonymous = await request(app).post(`/api/v1/comments/${id}/approve`).send({});
      expect(anonymous.status).to.equal(401);
      const history = await request(app).get(`/api/v1/comments/${id}/history`).set(bearer(otherModerator.token));
      expect(history.status).to.equal(403);
    });
  });

  describe('POST /sites/:siteId/moderation/bulk', () => {
    it('updates only this site\'s held comments and records each', async () => {
      const held = [await insertComment(siteId), await insertComment(siteId)];
      const published = await insertComment(siteId, { status: 'approved' });
      const elsewhere = await insertComment(otherSiteId);
      const res = await request(app)
        .post(`/api/v1/sites/${siteId}/moderation/bulk`)
        .set(bearer(moderator.token))
        .send({ action: 'reject', ids: [...held, published, elsewhere] });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ updated: 2 });
      for (const id of held) {
        expect((await CommentModel.findById(id).lean())?.status).to.equal('rejected');
        expect(await ModerationActionModel.countDocuments({ commentId: id, action: 'rejected' })).to.equal(1);
      }
      expect((await CommentModel.findById(published).lean())?.status).to.equal('approved');
      expect((await CommentModel.findById(elsewhere).lean())?.status).to.equal('pending');
    });

    it('validates the ids and the action', async () => {
      const url = `/api/v1/sites/${siteId}/moderation/bulk`;
      expect((await request(app).post(url).set(bearer(moderator.token)).send({ action: 'approve', ids: [] })).status).to.equal(400);
      const tooMany = Array.from({ length: 101 }, () => '0123456789abcdef01234567');
      expect((await request(app).post(url).set(bearer(moderator.token)).send({ action: 'approve', ids: tooMany })).status).to.equal(400);
      expect((await request(app).post(url).set(bearer(moderator.token)).send({ action: 'delete', ids: [tooMany[0]] })).status).to.equal(400);
      expect((await request(app).post(url).set(bearer(otherModerator.token)).send({ action: 'approve', ids: [tooMany[0]] })).status).to.equal(403);
    });
  });
});
