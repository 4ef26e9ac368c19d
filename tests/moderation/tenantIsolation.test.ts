import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { subscribeChanges, type Change } from '../../src/changes/feed';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, insertComment } from './helpers';

const threadPath = (siteId: string): string => `/api/v1/sites/${siteId}/articles/isolation-article/comments`;

/** Waits for the change feed to deliver (listeners run on setImmediate after the write). */
const nextTurn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

// Each case here was found by a security review; each failed against the code before per-site bans.
describe('tenant isolation', () => {
  let app: Express;
  let siteA: string;
  let siteB: string;
  let moderatorA: TestUser;
  let admin: TestUser;

  before(async () => {
    app = testApp();
    siteA = (await createTestSite({ premoderation: 'all' })).id;
    siteB = (await createTestSite({ premoderation: 'all' })).id;
    moderatorA = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteA] });
    admin = await createTestUser({ role: 'admin' });
  });

  describe('a global ban is an admin\'s act', () => {
    it('refuses a moderator banning a commenter everywhere (403), and the commenter still posts', async () => {
      const reader = await createTestUser();
      const res = await request(app).post(`/api/v1/users/${reader.id}/ban`).set(bearer(moderatorA.token)).send({ reason: 'spam' });
      expect(res.status).to.equal(403);
      expect((await UserModel.findById(reader.id).lean())?.banned).to.equal(false);
      const posted = await request(app).post(threadPath(siteB)).set(bearer(reader.token)).send({ body: 'Still here on site B.' });
      expect(posted.status).to.equal(201);
    });

    it('refuses a moderator lifting an admin\'s ban, and never shows them the email', async () => {
      const reader = await createTestUser();
      const banned = await request(app).post(`/api/v1/users/${reader.id}/ban`).set(bearer(admin.token)).send({ reason: 'fraud' });
      expect(banned.status).to.equal(200);
      expect(banned.body).to.include({ banned: true, email: reader.email });
      const lifted = await request(app).delete(`/api/v1/users/${reader.id}/ban`).set(bearer(moderatorA.token));
      expect(lifted.status).to.equal(403);
      expect(JSON.stringify(lifted.body)).to.not.include(reader.email);
      expect((await UserModel.findById(reader.id).lean())?.banned).to.equal(true);
    });

    it('publishes user.banned and user.unbanned for a global ban', async () => {
      const reader = await createTestUser();
      const heard: Change[] = [];
      const stop = subscribeChanges((change) => {
        if (change.userId === reader.id) heard.push(change);
      });
      try {
        await request(app).post(`/api/v1/users/${reader.id}/ban`).set(bearer(admin.token)).send({ reason: 'fraud' });
        await request(app).delete(`/api/v1/users/${reader.id}/ban`).set(bearer(admin.token));
        await nextTurn();
      } finally {
        stop();
      }
      // Every write of the user also publishes user.changed (for copies kept in process); the ban's own changes:
      expect(heard.map((c) => c.type).filter((type) => type !== 'user.changed')).to.deep.equal(['user.banned', 'user.unbanned']);
      expect(heard.map((c) => c.type)).to.include('user.changed');
    });
  });

  describe('a user\'s email is shown only to admins (and its owner)', () => {
    it('leaves the email out of the moderator list a moderator reads', async () => {
      const res = await request(app).get(`/api/v1/sites/${siteA}/moderators`).set(bearer(moderatorA.token));
      expect(res.status).to.equal(200);
      const others = (res.body.items as { id: string; email?: string }[]).filter((u) => u.id !== moderatorA.id);
      expect(res.body.items.map((u: { id: string }) => u.id)).to.include(moderatorA.id);
      for (const user of others) expect(user).to.not.have.property('email');
      const second = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteA] });
      const again = await request(app).get(`/api/v1/sites/${siteA}/moderators`).set(bearer(moderatorA.token));
      const seen = (again.body.items as { id: string }[]).find((u) => u.id === second.id);
      expect(seen).to.not.have.property('email');
      const asAdmin = await request(app).get(`/api/v1/sites/${siteA}/moderators`).set(bearer(admin.token));
      expect((asAdmin.body.items as { id: string }[]).find((u) => u.id === second.id)).to.have.property('email', second.email);
    });
  });

  describe('per-site bans', () => {
    it('lets a site\'s moderator ban a commenter on that site only: no posting, editing, voting or flagging there', async () => {
      const reader = await createTestUser();
      const open = (await createTestSite({ premoderation: 'none' })).id;
      await UserModel.updateOne({ _id: moderatorA.id }, { $addToSet: { moderatedSiteIds: open } });
      const before = await request(app).post(threadPath(open)).set(bearer(reader.token)).send({ body: 'My words before the ban.' });
      expect(before.status).to.equal(201);
      const someoneElses = await insertComment(open, { status: 'approved', articleId: 'isolation-article' });

      const ban = await request(app)
        .post(`/api/v1/sites/${open}/bans`)
        .set(bearer(moderatorA.token))
        .send({ userId: reader.id, reason: 'trolling' });
      expect(ban.status).to.equal(201);
      expect(ban.body).to.include({ siteId: open, userId: reader.id, reason: 'trolling', until: null });
      expect(ban.body).to.not.have.property('email');

      expect((await request(app).post(threadPath(open)).set(bearer(reader.token)).send({ body: 'After the ban.' })).status).to.equal(403);
      expect((await request(app).patch(`/api/v1/comments/${before.body.id}`).set(bearer(reader.token)).send({ body: 'Edited.' })).status).to.equal(403);
      expect((await request(app).put(`/api/v1/comments/${someoneElses}/vote`).set(bearer(reader.token)).send({ value: 1 })).status).to.equal(403);
      expect((await request(app).post(`/api/v1/comments/${someoneElses}/flags`).set(bearer(reader.token)).send({ reason: 'spam' })).status).to.equal(403);

      // Elsewhere they are a reader like any other, and their session still works.
      expect((await request(app).post(threadPath(siteB)).set(bearer(reader.token)).send({ body: 'Fine on site B.' })).status).to.equal(201);
      expect((await request(app).get('/api/v1/auth/me').set(bearer(reader.token))).body.banned).to.equal(false);

      const list = await request(app).get(`/api/v1/sites/${open}/bans`).set(bearer(moderatorA.token));
      expect(list.status).to.equal(200);
      expect(list.body.items.map((b: { userId: string }) => b.userId)).to.include(reader.id);

      expect((await request(app).delete(`/api/v1/sites/${open}/bans/${reader.id}`).set(bearer(moderatorA.token))).status).to.equal(204);
      expect((await request(app).post(threadPath(open)).set(bearer(reader.token)).send({ body: 'Back again.' })).status).to.equal(201);
      expect((await request(app).delete(`/api/v1/sites/${open}/bans/${reader.id}`).set(bearer(moderatorA.token))).status).to.equal(404);
    });

    it('refuses a moderator of site A banning, listing or lifting bans on site B', async () => {
      const reader = await createTestUser();
      const res = await request(app).post(`/api/v1/sites/${siteB}/bans`).set(bearer(moderatorA.token)).send({ userId: reader.id, reason: 'x' });
      expect(res.status).to.equal(403);
      expect((await request(app).get(`/api/v1/sites/${siteB}/bans`).set(bearer(moderatorA.token))).status).to.equal(403);
      await request(app).post(`/api/v1/sites/${siteB}/bans`).set(bearer(admin.token)).send({ userId: reader.id, reason: 'admin ban' });
      expect((await request(app).delete(`/api/v1/sites/${siteB}/bans/${reader.id}`).set(bearer(moderatorA.token))).status).to.equal(403);
      expect((await request(app).post(threadPath(siteB)).set(bearer(reader.token)).send({ body: 'Still banned on B.' })).status).to.equal(403);
    });

    it('expires a timed ban, refuses moderators banning staff, and publishes the changes', async () => {
      const reader = await createTestUser();
      const heard: Change[] = [];
      const stop = subscribeChanges((change) => {
        if (change.userId === reader.id) heard.push(change);
      });
      const until = new Date(Date.now() + 60_000).toISOString();
      try {
        const ban = await request(app).post(`/api/v1/sites/${siteA}/bans`).set(bearer(moderatorA.token)).send({ userId: reader.id, reason: 'cool off', until });
        expect(ban.status).to.equal(201);
        expect(ban.body.until).to.equal(until);
        await request(app).delete(`/api/v1/sites/${siteA}/bans/${reader.id}`).set(bearer(moderatorA.token));
        await nextTurn();
      } finally {
        stop();
      }
      expect(heard.map((c) => [c.type, c.siteId])).to.deep.equal([
        ['user.banned', siteA],
        ['user.unbanned', siteA],
      ]);
      const staff = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteB] });
      expect((await request(app).post(`/api/v1/sites/${siteA}/bans`).set(bearer(moderatorA.token)).send({ userId: staff.id, reason: 'x' })).status).to.equal(403);
      expect((await request(app).post(`/api/v1/sites/${siteA}/bans`).set(bearer(moderatorA.token)).send({ userId: moderatorA.id, reason: 'x' })).status).to.equal(403);
      expect((await request(app).post(`/api/v1/sites/${siteA}/bans`).set(bearer(moderatorA.token)).send({ userId: 'nope', reason: 'x' })).status).to.equal(400);
    });
  });

  describe('the staff exemption from holds', () => {
    it('holds a moderator\'s comment on a site they do not moderate, and publishes it on their own', async () => {
      const elsewhere = await request(app).post(threadPath(siteB)).set(bearer(moderatorA.token)).send({ body: 'A word from a visiting moderator.' });
      expect(elsewhere.status).to.equal(201);
      expect(elsewhere.body.status).to.equal('pending');
      const own = await request(app).post(threadPath(siteA)).set(bearer(moderatorA.token)).send({ body: 'A word from this site\'s moderator.' });
      expect(own.status).to.equal(201);
      expect(own.body.status).to.equal('approved');
    });
  });
});
