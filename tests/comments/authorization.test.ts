import { expect } from 'chai';
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { FlagModel } from '../../src/moderation/flag.model';
import {
  auth,
  buildAuthorizationWorld,
  commentBy as commentIn,
  expectNoEmails,
  freshRemark,
  postAs as postIn,
  remarkNumber,
  storedComment,
  threadPath,
  type StoredComment,
} from '../support/authorization';
import type { TestUser } from '../support/fixtures';

// The authorization sweep for comments: every endpoint that takes an id, asked by someone who may not act on
// it, answers 401/403 (or, for bulk, updates nothing) and the stored state is the same afterwards.

describe('authorization on every id: comments', () => {
  let app: Express;
  let siteA: string;
  let heldSiteA: string;
  let author: TestUser;
  let otherCommenter: TestUser;
  let moderatorA: TestUser;
  let moderatorB: TestUser;
  let admin: TestUser;

  before(async () => {
    ({ app, siteA, heldSiteA, author, otherCommenter, moderatorA, moderatorB, admin } = await buildAuthorizationWorld());
  });

  const postAs = (user: TestUser, siteId: string, articleId?: string): Promise<Record<string, unknown>> =>
    postIn(app, user, siteId, articleId);

  const commentBy = (user: TestUser, siteId: string): Promise<string> => commentIn(app, user, siteId);

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
