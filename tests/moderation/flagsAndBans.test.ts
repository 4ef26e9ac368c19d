import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { CommentModel } from '../../src/comments/comment.model';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, insertComment } from './helpers';

describe('reader flags and bans', () => {
  let app: Express;
  let siteId: string;
  let moderator: TestUser;
  let admin: TestUser;

  before(async () => {
    app = testApp();
    siteId = (await createTestSite({ flagThreshold: 2 })).id;
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
    admin = await createTestUser({ role: 'admin' });
  });

  describe('POST /comments/:commentId/flags', () => {
    it('takes one flag per reader and sends the comment back to the queue at the threshold', async () => {
      const id = await insertComment(siteId, { status: 'approved' });
      const [first, second] = [await createTestUser(), await createTestUser()];

      const flagged = await request(app).post(`/api/v1/comments/${id}/flags`).set(bearer(first.token)).send({ reason: 'spam' });
      expect(flagged.status).to.equal(201);
      expect(flagged.body).to.include({ commentId: id, reason: 'spam', note: null });
      expect((await CommentModel.findById(id).lean())?.status).to.equal('approved');

      const duplicate = await request(app).post(`/api/v1/comments/${id}/flags`).set(bearer(first.token)).send({ reason: 'abuse' });
      expect(duplicate.status).to.equal(409);

      const atThreshold = await request(app)
        .post(`/api/v1/comments/${id}/flags`)
        .set(bearer(second.token))
        .send({ reason: 'abuse', note: 'insults another reader' });
      expect(atThreshold.status).to.equal(201);
      const held = await CommentModel.findById(id).lean();
      expect(held).to.include({ status: 'pending', previousStatus: 'approved', flagged: true, flagCount: 2 });
      expect(held?.reasons.map((r) => r.code)).to.include('flagged');

      const queue = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?status=flagged`).set(bearer(moderator.token));
      const item = queue.body.items.find((c: { id: string }) => c.id === id);
      expect(item.flagCount).to.equal(2);
      expect(item.flags.map((f: { reason: string }) => f.reason)).to.deep.equal(['spam', 'abuse']);
      expect(item.flags[1].note).to.equal('insults another reader');

      // A held comment is no longer visible, so it cannot be flagged further.
      const third = await createTestUser();
      expect((await request(app).post(`/api/v1/comments/${id}/flags`).set(bearer(third.token)).send({ reason: 'spam' })).status).to.equal(404);

      // Approving answers those flags: it is published again and leaves the flagged queue.
      const approved = await request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(moderator.token)).send({});
      expect(approved.status).to.equal(200);
      expect(approved.body).to.include({ status: 'approved', flagged: false });
      const after = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?status=flagged`).set(bearer(moderator.token));
      expect(after.body.items.map((c: { id: string }) => c.id)).to.not.include(id);

      // One more flag is below the threshold again; it takes two new ones.
      await request(app).post(`/api/v1/comments/${id}/flags`).set(bearer(third.token)).send({ reason: 'other' });
      expect((await CommentModel.findById(id).lean())?.status).to.equal('approved');

      const history = await request(app).get(`/api/v1/comments/${id}/history`).set(bearer(moderator.token));
      expect(history.body.actions.map((a: { action: string }) => a.action)).to.deep.equal([
        'flagged',
        'flagged',
        'held',
        'approved',
        'flagged',
      ]);
      expect(history.body.actions[2].actor).to.equal(null);
    });

    it('refuses anonymous readers, bad reasons, long notes and comments that are not published', async () => {
      const reader = await createTestUser();
      const id = await insertComment(siteId, { status: 'approved' });
      expect((await request(app).post(`/api/v1/comments/${id}/flags`).send({ reason: 'spam' })).status).to.equal(401);
      expect((await request(app).post(`/api/v1/comments/${id}/flags`).set(bearer(reader.token)).send({ reason: 'boring' })).status).to.equal(400);
      const longNote = { reason: 'other', note: 'x'.repeat(501) };
      expect((await request(app).post(`/api/v1/comments/${id}/flags`).set(bearer(reader.token)).send(longNote)).status).to.equal(400);
      const pending = await insertComment(siteId, { status: 'pending' });
      expect((await request(app).post(`/api/v1/comments/${pending}/flags`).set(bearer(reader.token)).send({ reason: 'spam' })).status).to.equal(404);
      expect(
        (await request(app).post('/api/v1/comments/0123456789abcdef01234567/flags').set(bearer(reader.token)).send({ reason: 'spam' })).status,
      ).to.equal(404);
    });
  });

  describe('POST and DELETE /users/:userId/ban', () => {
    it('bans a reader: their old token stops working, and with a new session they cannot flag', async () => {
      const reader = await createTestUser();
      const until = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
      const res = await request(app)
        .post(`/api/v1/users/${reader.id}/ban`)
        .set(bearer(admin.token))
        .send({ reason: 'repeated abuse', until });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: reader.id, banned: true, role: 'commenter', banReason: 'repeated abuse' });
      expect(res.body.bannedUntil).to.equal(until);

      const comment = await insertComment(siteId, { status: 'approved' });
      const oldToken = await request(app).post(`/api/v1/comments/${comment}/flags`).set(bearer(reader.token)).send({ reason: 'spam' });
      expect(oldToken.status).to.equal(401);

      // A session opened while banned (the user row is read on every request) still cannot flag.
      const banned = await createTestUser();
      await UserModel.updateOne({ _id: banned.id }, { $set: { banned: true, banReason: 'test' } });
      const refused = await request(app).post(`/api/v1/comments/${comment}/flags`).set(bearer(banned.token)).send({ reason: 'spam' });
      expect(refused.status).to.equal(403);

      const action = await ModerationActionModel.findOne({ targetUserId: reader.id, action: 'banned' }).lean();
      expect(action).to.include({ reason: 'repeated abuse' });
      expect(String(action?.actorId)).to.equal(admin.id);

      const lifted = await request(app).delete(`/api/v1/users/${reader.id}/ban`).set(bearer(admin.token));
      expect(lifted.status).to.equal(200);
      expect(lifted.body).to.include({ banned: false, bannedUntil: null });
      expect(await ModerationActionModel.countDocuments({ targetUserId: reader.id, action: 'unbanned' })).to.equal(1);
    });

    it('lets only admins ban on every site', async () => {
      const otherModerator = await createTestUser({ role: 'moderator' });
      const reader = await createTestUser();
      const reason = { reason: 'testing' };
      expect((await request(app).post(`/api/v1/users/${reader.id}/ban`).set(bearer(moderator.token)).send(reason)).status).to.equal(403);
      expect((await request(app).post(`/api/v1/users/${otherModerator.id}/ban`).set(bearer(moderator.token)).send(reason)).status).to.equal(403);
      expect((await request(app).post(`/api/v1/users/${admin.id}/ban`).set(bearer(moderator.token)).send(reason)).status).to.equal(403);
      expect((await request(app).delete(`/api/v1/users/${otherModerator.id}/ban`).set(bearer(moderator.token))).status).to.equal(403);
      expect((await request(app).post(`/api/v1/users/${moderator.id}/ban`).set(bearer(reader.token)).send(reason)).status).to.equal(403);
      expect((await request(app).post(`/api/v1/users/${reader.id}/ban`).send(reason)).status).to.equal(401);
      expect((await request(app).post('/api/v1/users/0123456789abcdef01234567/ban').set(bearer(admin.token)).send(reason)).status).to.equal(404);
      const staffBan = await request(app).post(`/api/v1/users/${otherModerator.id}/ban`).set(bearer(admin.token)).send(reason);
      expect(staffBan.status).to.equal(200);
      expect(staffBan.body.banned).to.equal(true);
    });

    it('validates the reason and refuses an end date in the past', async () => {
      const reader = await createTestUser();
      const url = `/api/v1/users/${reader.id}/ban`;
      expect((await request(app).post(url).set(bearer(admin.token)).send({})).status).to.equal(400);
      const past = { reason: 'late', until: '2020-01-01T00:00:00Z' };
      expect((await request(app).post(url).set(bearer(admin.token)).send(past)).status).to.equal(400);
      expect((await request(app).post(url).set(bearer(admin.token)).send({ reason: 'x', until: 'tomorrow' })).status).to.equal(400);
    });
  });
});
