import { expect } from 'chai';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { CommentModel } from '../../src/comments/comment.model';
import { VoteModel } from '../../src/comments/vote.model';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, post, threadPath } from './helpers';

describe('editing, deleting and voting over HTTP', () => {
  const app = testApp();
  let alice: TestUser;
  let bruno: TestUser;
  let site: { id: string };

  before(async () => {
    alice = await createTestUser({ displayName: 'Alice' });
    bruno = await createTestUser({ displayName: 'Bruno' });
    site = await createTestSite();
  });

  /** Moves a comment's creation time into the past, as if it had been posted `seconds` ago. */
  async function age(commentId: string, seconds: number): Promise<void> {
    const past = new Date(Date.now() - seconds * 1000);
    await CommentModel.collection.updateOne({ _id: new CommentModel.base.Types.ObjectId(commentId) }, { $set: { createdAt: past } });
  }

  describe('PATCH /api/v1/comments/:commentId', () => {
    it('lets the author edit inside the window and re-renders the text', async () => {
      const comment = await post(app, alice, site.id, 'edits', 'Frist!');
      const res = await request(app)
        .patch(`/api/v1/comments/${comment.id}`)
        .set(...bearer(alice))
        .send({ body: ' **First**, I meant. ' })
        .expect(200);
      expect(res.body).to.include({ id: comment.id, body: '**First**, I meant.', status: 'approved' });
      expect(res.body.html).to.equal('<p><strong>First</strong>, I meant.</p>');
      expect(res.body.editedAt).to.be.a('string');
      const actions = await ModerationActionModel.find({ commentId: comment.id }).lean();
      expect(actions.map((a) => a.action)).to.include('edited');
    });

    it('refuses other users, anonymous callers and banned authors', async () => {
      const comment = await post(app, alice, site.id, 'edits', 'Mine.');
      const admin = await createTestUser({ role: 'admin' });
      await request(app).patch(`/api/v1/comments/${comment.id}`).set(...bearer(bruno)).send({ body: 'Yours now.' }).expect(403);
      await request(app).patch(`/api/v1/comments/${comment.id}`).set(...bearer(admin)).send({ body: 'Edited by staff.' }).expect(403);
      await request(app).patch(`/api/v1/comments/${comment.id}`).send({ body: 'Anonymous.' }).expect(401);
      const banned = await createTestUser();
      const own = await post(app, banned, site.id, 'edits', 'Before the ban.');
      await UserModel.updateOne({ _id: banned.id }, { $set: { banned: true } });
      await request(app).patch(`/api/v1/comments/${own.id}`).set(...bearer(banned)).send({ body: 'After.' }).expect(403);
    });

    it('refuses edits after the edit window', async () => {
      const comment = await post(app, alice, site.id, 'edits', 'Quick, edit me.');
      await age(comment.id, 301);
      const res = await request(app)
        .patch(`/api/v1/comments/${comment.id}`)
        .set(...bearer(alice))
        .send({ body: 'Too late.' })
        .expect(403);
      expect(res.body.detail).to.match(/300 seconds/);
      expect((await CommentModel.findById(comment.id).lean())?.body).to.equal('Quick, edit me.');
    });

    it('moderates the edit again: a held edit hides the comment and a rejected edit keeps the old text', async () => {
      const strict = await createTestSite({ suspectWords: ['rutabaga'], bannedWords: ['kohlrabi'] });
      const comment = await post(app, alice, strict.id, 're-moderated', 'An innocent remark.');
      expect(comment.status).to.equal('approved');
      const refused = await request(app)
        .patch(`/api/v1/comments/${comment.id}`)
        .set(...bearer(alice))
        .send({ body: 'Now about kohlrabi.' })
        .expect(422);
      expect(refused.body.type).to.contain('comment-rejected');
      expect((await CommentModel.findById(comment.id).lean())?.body).to.equal('An innocent remark.');

      const held = await request(app)
        .patch(`/api/v1/comments/${comment.id}`)
        .set(...bearer(alice))
        .send({ body: 'Now about rutabaga.' })
        .expect(200);
      expect(held.body.status).to.equal('pending');
      const thread = await request(app).get(threadPath(strict.id, 're-moderated')).expect(200);
      expect(thread.body.comments).to.deep.equal([]);
      expect(thread.body.total).to.equal(0);
    });

    it('refuses edits of deleted comments, unknown ids and bad bodies', async () => {
      const comment = await post(app, alice, site.id, 'edits', 'Going away.');
      await request(app).patch(`/api/v1/comments/${comment.id}`).set(...bearer(alice)).send({ body: '   ' }).expect(400);
      await request(app).delete(`/api/v1/comments/${comment.id}`).set(...bearer(alice)).expect(204);
      await request(app).patch(`/api/v1/comments/${comment.id}`).set(...bearer(alice)).send({ body: 'Back?' }).expect(409);
      await request(app).patch('/api/v1/comments/0123456789abcdef01234567').set(...bearer(alice)).send({ body: 'x' }).expect(404);
      await request(app).patch('/api/v1/comments/nope').set(...bearer(alice)).send({ body: 'x' }).expect(404);
    });
  });

  describe('DELETE /api/v1/comments/:commentId', () => {
    it('lets the author delete, leaving a tombstone that keeps its replies', async () => {
      const parent = await post(app, alice, site.id, 'deletes', 'Parent text.');
      const reply = await post(app, bruno, site.id, 'deletes', 'Reply text.', parent.id);
      await request(app).delete(`/api/v1/comments/${parent.id}`).set(...bearer(alice)).expect(204);
      const stored = await CommentModel.findById(parent.id).lean();
      expect(stored).to.include({ status: 'deleted', body: '', html: '', previousStatus: 'approved' });
      expect(stored?.deletedAt).to.be.instanceOf(Date);
      const replyStored = await CommentModel.findById(reply.id).lean();
      expect(replyStored?.status).to.equal('approved');
      expect(String(replyStored?.parentId)).to.equal(parent.id);
      await request(app).delete(`/api/v1/comments/${parent.id}`).set(...bearer(alice)).expect(204);
    });

    it('lets a moderator of the site delete, and nobody else', async () => {
      const comment = await post(app, alice, site.id, 'deletes', 'Questionable.');
      const elsewhere = await createTestUser({ role: 'moderator' });
      const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
      await request(app).delete(`/api/v1/comments/${comment.id}`).set(...bearer(bruno)).expect(403);
      await request(app).delete(`/api/v1/comments/${comment.id}`).set(...bearer(elsewhere)).expect(403);
      await request(app).delete(`/api/v1/comments/${comment.id}`).expect(401);
      await request(app).delete(`/api/v1/comments/${comment.id}`).set(...bearer(moderator)).expect(204);
      const actions = await ModerationActionModel.find({ commentId: comment.id, action: 'deleted' }).lean();
      expect(String(actions[0]?.actorId)).to.equal(moderator.id);
      await request(app).delete('/api/v1/comments/0123456789abcdef01234567').set(...bearer(alice)).expect(404);
    });
  });

  describe('PUT /api/v1/comments/:commentId/vote', () => {
    it('keeps one vote per user and moves the score by the difference', async () => {
      const comment = await post(app, alice, site.id, 'votes', 'Vote on me.');
      const vote = (value: number) =>
        request(app).put(`/api/v1/comments/${comment.id}/vote`).set(...bearer(bruno)).send({ value });
      expect((await vote(1).expect(200)).body).to.deep.equal({ score: 1 });
      expect((await vote(1).expect(200)).body).to.deep.equal({ score: 1 });
      expect((await vote(-1).expect(200)).body).to.deep.equal({ score: -1 });
      expect((await vote(0).expect(200)).body).to.deep.equal({ score: 0 });
      const stored = await CommentModel.findById(comment.id).lean();
      expect(stored).to.include({ score: 0, upvotes: 0, downvotes: 0 });
    });

    it('stays exact under concurrent votes', async () => {
      const comment = await post(app, alice, site.id, 'votes', 'Popular opinion.');
      const voters = await Promise.all(Array.from({ length: 30 }, () => createTestUser()));
      const flipper = await createTestUser();
      const path = `/api/v1/comments/${comment.id}/vote`;
      const flips = Array.from({ length: 10 }, (_, i) =>
        request(app).put(path).set(...bearer(flipper)).send({ value: i % 2 === 0 ? 1 : -1 }),
      );
      const votes = voters.map((voter, i) => request(app).put(path).set(...bearer(voter)).send({ value: i < 20 ? 1 : -1 }));
      const results = await Promise.all([...votes, ...flips]);
      for (const res of results) expect(res.status).to.equal(200);
      const flipperVote = await VoteModel.findById(`${comment.id}:${flipper.id}`).lean();
      const expectedScore = 20 - 10 + (flipperVote?.value ?? 0);
      const stored = await CommentModel.findById(comment.id).lean();
      expect(stored?.score).to.equal(expectedScore);
      expect(stored?.upvotes).to.equal(20 + (flipperVote?.value === 1 ? 1 : 0));
      expect(stored?.downvotes).to.equal(10 + (flipperVote?.value === -1 ? 1 : 0));
      expect(await VoteModel.countDocuments({ commentId: comment.id })).to.equal(31);
    });

    it('refuses own comments, pending comments, banned users, anonymous callers and bad values', async () => {
      const comment = await post(app, alice, site.id, 'votes', 'Can I vote for myself?');
      await request(app).put(`/api/v1/comments/${comment.id}/vote`).set(...bearer(alice)).send({ value: 1 }).expect(403);
      await request(app).put(`/api/v1/comments/${comment.id}/vote`).send({ value: 1 }).expect(401);
      for (const value of [2, '1', null]) {
        await request(app).put(`/api/v1/comments/${comment.id}/vote`).set(...bearer(bruno)).send({ value }).expect(400);
      }
      const banned = await createTestUser();
      await UserModel.updateOne({ _id: banned.id }, { $set: { banned: true } });
      await request(app).put(`/api/v1/comments/${comment.id}/vote`).set(...bearer(banned)).send({ value: 1 }).expect(403);
      const held = await createTestSite({ premoderation: 'all' });
      const pending = await post(app, alice, held.id, 'votes', 'Not yet visible.');
      await request(app).put(`/api/v1/comments/${pending.id}/vote`).set(...bearer(bruno)).send({ value: 1 }).expect(409);
      await request(app).put('/api/v1/comments/0123456789abcdef01234567/vote').set(...bearer(bruno)).send({ value: 1 }).expect(404);
    });
  });
});
