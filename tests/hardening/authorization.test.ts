import { expect } from 'chai';
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { CommentModel } from '../../src/comments/comment.model';
import { FlagModel } from '../../src/moderation/flag.model';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { SiteModel } from '../../src/sites/site.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';

// Every endpoint that takes an id, asked by someone who may not act on it: the answer is 401/403
// (or, for bulk, nothing updated) and the stored state is the same afterwards.

const auth = (user: TestUser): Record<string, string> => ({ Authorization: `Bearer ${user.token}` });
const threadPath = (siteId: string, articleId: string): string => `/api/v1/sites/${siteId}/articles/${articleId}/comments`;

let remarkNumber = 0;
function freshRemark(): string {
  remarkNumber += 1;
  return `The ferry timetable change is worth discussing, remark ${remarkNumber}.`;
}

interface StoredComment {
  status: string;
  body: string;
  score: number;
  flagCount?: number;
  revision?: number;
  editedAt?: Date | null;
}

async function storedComment(id: string): Promise<StoredComment> {
  const comment = await CommentModel.findById(id).lean<StoredComment>();
  if (!comment) throw new Error(`comment ${id} is gone`);
  return comment;
}

async function actionCount(commentId: string): Promise<number> {
  return ModerationActionModel.countDocuments({ commentId: new Types.ObjectId(commentId) });
}

/** Every key anywhere in a JSON value, so a leaked field is found however deep it sits. */
function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allKeys(inner)]);
  }
  return [];
}

function expectNoEmails(body: unknown, emails: string[]): void {
  const keys = allKeys(body);
  expect(keys).to.not.include('email');
  expect(keys).to.not.include('guestEmail');
  const text = JSON.stringify(body).toLowerCase();
  for (const email of emails) expect(text).to.not.include(email.toLowerCase());
}

describe('authorization on every id', () => {
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
    app = testApp();
    siteA = (await createTestSite({ premoderation: 'none' })).id;
    // Every comment here waits in the queue, so the moderation endpoints have something to act on.
    heldSiteA = (await createTestSite({ premoderation: 'all', allowGuests: true })).id;
    siteB = (await createTestSite({ premoderation: 'all' })).id;
    author = await createTestUser({ displayName: 'Author Ana' });
    otherCommenter = await createTestUser({ displayName: 'Other Otto' });
    moderatorA = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteA, heldSiteA] });
    moderatorB = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteB] });
    admin = await createTestUser({ role: 'admin' });
  });

  async function postAs(user: TestUser, siteId: string, articleId = 'harbour-plan'): Promise<Record<string, unknown>> {
    const res = await request(app).post(threadPath(siteId, articleId)).set(auth(user)).send({ body: freshRemark() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as Record<string, unknown>;
  }

  async function commentBy(user: TestUser, siteId: string): Promise<string> {
    return String((await postAs(user, siteId)).id);
  }

  describe('PATCH /comments/:id', () => {
    let commentId: string;
    let before: StoredComment;

    beforeEach(async () => {
      commentId = await commentBy(author, siteA);
      before = await storedComment(commentId);
    });

    const refusals: [string, () => TestUser | null, number][] = [
      ['another commenter', () => otherCommenter, 403],
      ['a moderator of another site', () => moderatorB, 403],
      // Moderators approve or reject; they do not rewrite readers' words.
      ['a moderator of the comment\'s own site', () => moderatorA, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status} and leaves the comment as it was`, async () => {
        const user = caller();
        const call = request(app).patch(`/api/v1/comments/${commentId}`).send({ body: 'Rewritten by someone else.' });
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        expect(res.headers['content-type']).to.match(/application\/problem\+json/);
        expect(await storedComment(commentId)).to.deep.include({
          body: before.body,
          status: before.status,
          editedAt: before.editedAt ?? null,
        });
      });
    }

    it('lets the author edit, and the answer carries no email', async () => {
      const res = await request(app)
        .patch(`/api/v1/comments/${commentId}`)
        .set(auth(author))
        .send({ body: 'A corrected remark about the ferry timetable.' });
      expect(res.status).to.equal(200);
      expect(res.body.body).to.equal('A corrected remark about the ferry timetable.');
      expectNoEmails(res.body, [author.email]);
    });
  });

  describe('DELETE /comments/:id', () => {
    let commentId: string;

    beforeEach(async () => {
      commentId = await commentBy(author, siteA);
    });

    const refusals: [string, () => TestUser | null, number][] = [
      ['another commenter', () => otherCommenter, 403],
      ['a moderator of another site', () => moderatorB, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status} and the comment stays`, async () => {
        const user = caller();
        const call = request(app).delete(`/api/v1/comments/${commentId}`);
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        const stored = await storedComment(commentId);
        expect(stored.status).to.equal('approved');
        const thread = await request(app).get(threadPath(siteA, 'harbour-plan'));
        const shown = (thread.body.comments as { id: string; status: string }[]).find((c) => c.id === commentId);
        expect(shown?.status).to.equal('approved');
      });
    }

    it('lets a moderator of the comment\'s site delete it (204, tombstone)', async () => {
      const res = await request(app).delete(`/api/v1/comments/${commentId}`).set(auth(moderatorA));
      expect(res.status).to.equal(204);
      expect((await storedComment(commentId)).status).to.equal('deleted');
    });

    it('lets an admin delete it', async () => {
      const res = await request(app).delete(`/api/v1/comments/${commentId}`).set(auth(admin));
      expect(res.status).to.equal(204);
      expect((await storedComment(commentId)).status).to.equal('deleted');
    });
  });

  describe('PUT /comments/:id/vote and POST /comments/:id/flags without a session', () => {
    it('refuses an anonymous vote with 401 and the score is unchanged', async () => {
      const commentId = await commentBy(author, siteA);
      const res = await request(app).put(`/api/v1/comments/${commentId}/vote`).send({ value: 1 });
      expect(res.status).to.equal(401);
      expect((await storedComment(commentId)).score).to.equal(0);
    });

    it('refuses an anonymous flag with 401 and no flag is stored', async () => {
      const commentId = await commentBy(author, siteA);
      const res = await request(app).post(`/api/v1/comments/${commentId}/flags`).send({ reason: 'spam' });
      expect(res.status).to.equal(401);
      expect((await storedComment(commentId)).flagCount ?? 0).to.equal(0);
      expect(await FlagModel.countDocuments({ commentId: new Types.ObjectId(commentId) })).to.equal(0);
    });
  });

  describe('GET /sites/:siteId', () => {
    const refusals: [string, () => TestUser | null, number][] = [
      ['a commenter', () => author, 403],
      ['a moderator of another site', () => moderatorB, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status}`, async () => {
        const user = caller();
        const call = request(app).get(`/api/v1/sites/${siteA}`);
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        expect(res.body).to.not.have.property('settings');
      });
    }

    it('answers the site\'s own moderator and an admin', async () => {
      for (const user of [moderatorA, admin]) {
        const res = await request(app).get(`/api/v1/sites/${siteA}`).set(auth(user));
        expect(res.status).to.equal(200);
        expect(res.body.id).to.equal(siteA);
      }
    });
  });

  describe('PATCH /sites/:siteId/settings (admin role)', () => {
    let siteId: string;

    beforeEach(async () => {
      siteId = (await createTestSite({ premoderation: 'none', maxLinks: 2 })).id;
    });

    async function storedSettings(): Promise<Record<string, unknown>> {
      const site = await SiteModel.findById(siteId).lean<{ settings: Record<string, unknown> }>();
      if (!site) throw new Error('site is gone');
      return site.settings;
    }

    const refusals: [string, () => TestUser | null, number][] = [
      ['a commenter', () => author, 403],
      ['a moderator of another site', () => moderatorB, 403],
      // Settings are the admin's: the site's own moderator may read them, not change them.
      ['a moderator of this site', () => moderatorA, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status} and the settings stay`, async () => {
        const user = caller();
        if (user === moderatorA) {
          await UserModel.updateOne({ _id: moderatorA.id }, { $addToSet: { moderatedSiteIds: siteId } });
        }
        const call = request(app)
          .patch(`/api/v1/sites/${siteId}/settings`)
          .send({ premoderation: 'all', maxLinks: 0, allowGuests: true });
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        expect(await storedSettings()).to.deep.include({ premoderation: 'none', maxLinks: 2, allowGuests: false });
      });
    }

    it('lets an admin change them', async () => {
      const res = await request(app).patch(`/api/v1/sites/${siteId}/settings`).set(auth(admin)).send({ maxLinks: 0 });
      expect(res.status).to.equal(200);
      expect(res.body.settings.maxLinks).to.equal(0);
      expect((await storedSettings()).maxLinks).to.equal(0);
    });
  });

  describe('POST /sites (admin role)', () => {
    const refusals: [string, () => TestUser | null, number][] = [
      ['a commenter', () => author, 403],
      ['a moderator', () => moderatorA, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status} and creates nothing`, async () => {
        const name = `Refused Gazette ${who}`;
        const user = caller();
        const call = request(app).post('/api/v1/sites').send({ name, origins: ['https://gazette.example'] });
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        expect(await SiteModel.countDocuments({ name })).to.equal(0);
      });
    }

    it('lets an admin create one', async () => {
      const res = await request(app)
        .post('/api/v1/sites')
        .set(auth(admin))
        .send({ name: 'Admitted Gazette', origins: ['https://gazette.example'] });
      expect(res.status).to.equal(201);
      expect(await SiteModel.countDocuments({ _id: res.body.id })).to.equal(1);
    });
  });

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

  describe('another reader\'s held comment', () => {
    it('is shown to its author only, not to other readers or other sites\' moderators, and is not counted', async () => {
      const article = `held-${remarkNumber}`;
      const held = await postAs(author, heldSiteA, article);
      expect(held.status).to.equal('pending');
      const mine = await request(app).get(threadPath(heldSiteA, article)).set(auth(author));
      expect((mine.body.comments as { id: string }[]).map((c) => c.id)).to.deep.equal([held.id]);
      for (const viewer of [null, otherCommenter, moderatorB]) {
        const call = request(app).get(threadPath(heldSiteA, article));
        const res = viewer ? await call.set(auth(viewer)) : await call;
        expect(res.status).to.equal(200);
        expect(res.body).to.deep.include({ comments: [], total: 0 });
      }
      const counts = await request(app).get(`/api/v1/sites/${heldSiteA}/counts?articles=${article}`);
      expect(counts.body).to.deep.equal({ [article]: 0 });
    });
  });

  describe('private data', () => {
    it('GET /auth/me answers with the caller only, email included', async () => {
      for (const user of [author, otherCommenter, moderatorA]) {
        const res = await request(app).get('/api/v1/auth/me').set(auth(user));
        expect(res.status).to.equal(200);
        expect(res.body).to.include({ id: user.id, email: user.email, displayName: user.displayName });
      }
      expect((await request(app).get('/api/v1/auth/me')).status).to.equal(401);
    });

    it('comment JSON never carries an email: post and reply answers, the thread for anyone', async () => {
      const article = `private-${remarkNumber}`;
      const posted = await postAs(author, siteA, article);
      expectNoEmails(posted, [author.email]);
      const reply = await request(app)
        .post(threadPath(siteA, article))
        .set(auth(otherCommenter))
        .send({ body: freshRemark(), parentId: posted.id });
      expect(reply.status).to.equal(201);
      expectNoEmails(reply.body, [author.email, otherCommenter.email]);

      for (const viewer of [null, author, otherCommenter, moderatorA, admin]) {
        for (const sort of ['oldest', 'newest', 'top']) {
          const call = request(app).get(`${threadPath(siteA, article)}?sort=${sort}`);
          const res = viewer ? await call.set(auth(viewer)) : await call;
          expect(res.status).to.equal(200);
          expect(res.body.total).to.equal(2);
          expectNoEmails(res.body, [author.email, otherCommenter.email]);
        }
      }
    });

    it('a guest\'s email appears in no answer a reader sees, before or after approval', async () => {
      const article = `guest-${remarkNumber}`;
      const guestEmail = 'Quiet.Guest@Example.test';
      const posted = await request(app)
        .post(threadPath(heldSiteA, article))
        .send({ body: freshRemark(), guest: { name: 'Quiet Guest', email: guestEmail } });
      expect(posted.status).to.equal(201);
      expectNoEmails(posted.body, [guestEmail]);
      expect(await CommentModel.countDocuments({ _id: posted.body.id, 'author.guestEmail': guestEmail.toLowerCase() })).to.equal(1);

      const approved = await request(app).post(`/api/v1/comments/${posted.body.id}/approve`).set(auth(moderatorA)).send({});
      expect(approved.status).to.equal(200);

      for (const viewer of [null, otherCommenter, moderatorA]) {
        const call = request(app).get(threadPath(heldSiteA, article));
        const res = viewer ? await call.set(auth(viewer)) : await call;
        expect(res.status).to.equal(200);
        expect((res.body.comments as { id: string }[]).map((c) => c.id)).to.deep.equal([posted.body.id]);
        expectNoEmails(res.body, [guestEmail]);
      }
    });
  });
});
