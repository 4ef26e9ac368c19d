import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import {
  actionCount,
  auth,
  buildAuthorizationWorld,
  commentBy as commentIn,
  expectNoEmails,
  postAs as postIn,
  storedComment,
} from '../support/authorization';
import { createTestUser, type TestUser } from '../support/fixtures';

// The authorization sweep for moderation: every endpoint that takes an id, asked by someone who may not act on
// it, answers 401/403 (or, for bulk, updates nothing) and the stored state is the same afterwards.

describe('authorization on every id: moderation', () => {
  let app: Express;
  let siteA: string;
  let heldSiteA: string;
  let siteB: string;
  let author: TestUser;
  let otherCommenter: TestUser;
  let moderatorA: TestUser;
  let moderatorB: TestUser;
  let admin: TestUser;

  before(async () => {
    ({ app, siteA, heldSiteA, siteB, author, otherCommenter, moderatorA, moderatorB, admin } = await buildAuthorizationWorld());
  });

  const postAs = (user: TestUser, siteId: string, articleId?: string): Promise<Record<string, unknown>> =>
    postIn(app, user, siteId, articleId);

  const commentBy = (user: TestUser, siteId: string): Promise<string> => commentIn(app, user, siteId);

  describe('moderation on another site', () => {
    const outsiders: [string, () => TestUser | null, number][] = [
      ['a commenter (the comment\'s own author)', () => author, 403],
      ['a moderator of another site', () => moderatorB, 403],
      ['nobody signed in', () => null, 401],
    ];

    async function heldComment(): Promise<string> {
      const comment = await postAs(author, heldSiteA);
      expect(comment.status).to.equal('pending');
      return String(comment.id);
    }

    describe('GET /sites/:siteId/moderation/queue', () => {
      for (const [who, caller, status] of outsiders) {
        it(`refuses ${who} with ${status}`, async () => {
          await heldComment();
          const user = caller();
          const call = request(app).get(`/api/v1/sites/${heldSiteA}/moderation/queue`);
          const res = user ? await call.set(auth(user)) : await call;
          expect(res.status).to.equal(status);
          expect(res.body).to.not.have.property('items');
        });
      }

      it('answers the site\'s moderator with the held comment', async () => {
        const commentId = await heldComment();
        const res = await request(app).get(`/api/v1/sites/${heldSiteA}/moderation/queue?limit=100`).set(auth(moderatorA));
        expect(res.status).to.equal(200);
        expect((res.body.items as { id: string }[]).map((item) => item.id)).to.include(commentId);
      });
    });

    for (const decision of ['approve', 'reject'] as const) {
      describe(`POST /comments/:id/${decision}`, () => {
        const body = decision === 'reject' ? { reason: 'off-topic' } : {};

        for (const [who, caller, status] of outsiders) {
          it(`refuses ${who} with ${status}; the comment stays pending and no action is recorded`, async () => {
            const commentId = await heldComment();
            const actionsBefore = await actionCount(commentId);
            const user = caller();
            const call = request(app).post(`/api/v1/comments/${commentId}/${decision}`).send(body);
            const res = user ? await call.set(auth(user)) : await call;
            expect(res.status).to.equal(status);
            expect((await storedComment(commentId)).status).to.equal('pending');
            expect(await actionCount(commentId)).to.equal(actionsBefore);
          });
        }

        it('lets the site\'s moderator decide', async () => {
          const commentId = await heldComment();
          const res = await request(app).post(`/api/v1/comments/${commentId}/${decision}`).set(auth(moderatorA)).send(body);
          expect(res.status).to.equal(200);
          expect(res.body.status).to.equal(decision === 'approve' ? 'approved' : 'rejected');
        });
      });
    }

    describe('POST /sites/:siteId/moderation/bulk', () => {
      for (const [who, caller, status] of outsiders) {
        it(`refuses ${who} on site A's bulk endpoint with ${status}`, async () => {
          const ids = [await heldComment(), await heldComment()];
          const user = caller();
          const call = request(app).post(`/api/v1/sites/${heldSiteA}/moderation/bulk`).send({ action: 'approve', ids });
          const res = user ? await call.set(auth(user)) : await call;
          expect(res.status).to.equal(status);
          for (const id of ids) expect((await storedComment(id)).status).to.equal('pending');
        });
      }

      for (const [who, caller] of [
        ['site B\'s moderator', () => moderatorB],
        ['an admin', () => admin],
      ] as [string, () => TestUser][]) {
        it(`updates nothing when ${who} sends site A's ids to site B's bulk endpoint`, async () => {
          const ids = [await heldComment(), await heldComment()];
          const actionsBefore = await Promise.all(ids.map(actionCount));
          for (const action of ['approve', 'reject']) {
            const res = await request(app)
              .post(`/api/v1/sites/${siteB}/moderation/bulk`)
              .set(auth(caller()))
              .send({ action, ids });
            expect(res.status).to.equal(200);
            expect(res.body).to.deep.equal({ updated: 0 });
          }
          for (const id of ids) expect((await storedComment(id)).status).to.equal('pending');
          expect(await Promise.all(ids.map(actionCount))).to.deep.equal(actionsBefore);
        });
      }

      it('lets site A\'s moderator decide site A\'s ids', async () => {
        const ids = [await heldComment(), await heldComment()];
        const res = await request(app)
          .post(`/api/v1/sites/${heldSiteA}/moderation/bulk`)
          .set(auth(moderatorA))
          .send({ action: 'approve', ids });
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.equal({ updated: 2 });
      });
    });

    describe('GET /comments/:id/history', () => {
      for (const [who, caller, status] of outsiders) {
        it(`refuses ${who} with ${status}`, async () => {
          const commentId = await heldComment();
          const user = caller();
          const call = request(app).get(`/api/v1/comments/${commentId}/history`);
          const res = user ? await call.set(auth(user)) : await call;
          expect(res.status).to.equal(status);
          expect(res.body).to.not.have.property('actions');
        });
      }

      it('answers the site\'s moderator', async () => {
        const commentId = await heldComment();
        const res = await request(app).get(`/api/v1/comments/${commentId}/history`).set(auth(moderatorA));
        expect(res.status).to.equal(200);
        expect(res.body.actions).to.be.an('array').with.length.greaterThan(0);
      });
    });
  });

  describe('POST and DELETE /users/:id/ban', () => {
    async function banState(userId: string): Promise<{ banned: boolean; tokenVersion: number }> {
      const user = await UserModel.findById(userId).lean<{ banned?: boolean; tokenVersion: number }>();
      if (!user) throw new Error('user is gone');
      return { banned: Boolean(user.banned), tokenVersion: user.tokenVersion };
    }

    it('refuses a commenter banning another commenter (403), who can still post', async () => {
      const target = await createTestUser();
      const before = await banState(target.id);
      const res = await request(app).post(`/api/v1/users/${target.id}/ban`).set(auth(author)).send({ reason: 'spite' });
      expect(res.status).to.equal(403);
      expectNoEmails(res.body, [target.email]);
      expect(await banState(target.id)).to.deep.equal(before);
      await postAs(target, siteA);
    });

    it('refuses a ban without a session (401)', async () => {
      const target = await createTestUser();
      const before = await banState(target.id);
      const res = await request(app).post(`/api/v1/users/${target.id}/ban`).send({ reason: 'spite' });
      expect(res.status).to.equal(401);
      expect(await banState(target.id)).to.deep.equal(before);
    });

    it('refuses a moderator banning an admin or another moderator (403)', async () => {
      for (const target of [admin, moderatorB]) {
        const before = await banState(target.id);
        const res = await request(app).post(`/api/v1/users/${target.id}/ban`).set(auth(moderatorA)).send({ reason: 'coup' });
        expect(res.status).to.equal(403);
        expect(await banState(target.id)).to.deep.equal(before);
      }
      expect((await request(app).get('/api/v1/auth/me').set(auth(admin))).status).to.equal(200);
    });

    it('refuses a commenter or an anonymous caller lifting a ban, and a moderator lifting an admin\'s', async () => {
      const target = await createTestUser();
      const banned = await request(app).post(`/api/v1/users/${target.id}/ban`).set(auth(admin)).send({ reason: 'spam' });
      expect(banned.status).to.equal(200);
      const before = await banState(target.id);
      expect(before.banned).to.equal(true);

      expect((await request(app).delete(`/api/v1/users/${target.id}/ban`).set(auth(otherCommenter))).status).to.equal(403);
      expect((await request(app).delete(`/api/v1/users/${target.id}/ban`)).status).to.equal(401);
      const byModerator = await request(app).delete(`/api/v1/users/${target.id}/ban`).set(auth(moderatorA));
      expect(byModerator.status).to.equal(403);
      expectNoEmails(byModerator.body, [target.email]);
      expect(await banState(target.id)).to.deep.equal(before);

      const adminTarget = await createTestUser({ role: 'admin' });
      await UserModel.updateOne({ _id: adminTarget.id }, { $set: { banned: true } });
      const res = await request(app).delete(`/api/v1/users/${adminTarget.id}/ban`).set(auth(moderatorA));
      expect(res.status).to.equal(403);
      expect((await banState(adminTarget.id)).banned).to.equal(true);
    });

    it('shows the target\'s email to the admin who bans them, and refuses a moderator\'s global ban', async () => {
      const target = await createTestUser();
      const refused = await request(app).post(`/api/v1/users/${target.id}/ban`).set(auth(moderatorA)).send({ reason: 'spam' });
      expect(refused.status).to.equal(403);
      expectNoEmails(refused.body, [target.email]);
      const res = await request(app).post(`/api/v1/users/${target.id}/ban`).set(auth(admin)).send({ reason: 'spam' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: target.id, email: target.email, banned: true });
    });
  });

  describe('rights come from the stored account, not the token', () => {
    it('a moderator demoted to commenter loses the queue and the decisions at once', async () => {
      const demoted = await createTestUser({ role: 'moderator', moderatedSiteIds: [heldSiteA] });
      const commentId = String((await postAs(author, heldSiteA)).id);
      await UserModel.updateOne({ _id: demoted.id }, { $set: { role: 'commenter' } });
      const queue = await request(app).get(`/api/v1/sites/${heldSiteA}/moderation/queue`).set(auth(demoted));
      expect(queue.status).to.equal(403);
      const approve = await request(app).post(`/api/v1/comments/${commentId}/approve`).set(auth(demoted)).send({});
      expect(approve.status).to.equal(403);
      expect((await storedComment(commentId)).status).to.equal('pending');
    });

    it('a moderator taken off a site can no longer act on it', async () => {
      const former = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteA] });
      const commentId = await commentBy(author, siteA);
      await UserModel.updateOne({ _id: former.id }, { $set: { moderatedSiteIds: [] } });
      expect((await request(app).get(`/api/v1/sites/${siteA}`).set(auth(former))).status).to.equal(403);
      expect((await request(app).delete(`/api/v1/comments/${commentId}`).set(auth(former))).status).to.equal(403);
      expect((await storedComment(commentId)).status).to.equal('approved');
    });
  });
});
