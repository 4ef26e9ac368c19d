import { expect } from 'chai';
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, insertComment } from './helpers';

describe('undo of a decision restores every field the decision changed', () => {
  let app: Express;
  let siteId: string;
  let moderator: TestUser;

  before(async () => {
    app = testApp();
    siteId = (await createTestSite()).id;
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
  });

  const fields = async (id: string) => {
    const stored = await CommentModel.findById(id).lean();
    return { status: stored?.status, previousStatus: stored?.previousStatus, flagged: stored?.flagged, flagsReviewed: stored?.flagsReviewed };
  };
  const queueIds = async (status: string): Promise<string[]> =>
    (await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?status=${status}`).set(bearer(moderator.token))).body.items.map(
      (i: { id: string }) => i.id,
    );

  it('approving a flagged comment answers its flags; undoing it un-answers them and puts it back in the flagged queue', async () => {
    const author = await createTestUser();
    const held = await CommentModel.create({
      siteId: new Types.ObjectId(siteId),
      articleId: 'undo-article',
      author: { id: new Types.ObjectId(author.id), displayName: 'Flagged author' },
      body: 'A remark three readers flagged.',
      status: 'pending',
      previousStatus: 'approved',
      flagged: true,
      flagCount: 3,
      flagsReviewed: 1,
      reasons: [{ code: 'flagged', detail: '3 flags' }],
    });
    const id = String(held._id);
    const before = await fields(id);
    const approvedOnArticle = async (): Promise<number> =>
      (await request(app).get(`/api/v1/sites/${siteId}/counts`).query({ articles: 'undo-article' }).expect(200)).body['undo-article'] as number;
    const countBefore = await approvedOnArticle();
    expect(await queueIds('flagged')).to.include(id);

    const approved = await request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(moderator.token)).send({ revision: 0 });
    expect(approved.status).to.equal(200);
    expect(await fields(id)).to.deep.equal({ status: 'approved', previousStatus: 'pending', flagged: false, flagsReviewed: 3 });
    expect(await queueIds('flagged')).to.not.include(id);

    const undone = await request(app).post(`/api/v1/comments/${id}/undo`).set(bearer(moderator.token)).send({ revision: approved.body.revision });
    expect(undone.status, JSON.stringify(undone.body)).to.equal(200);
    expect(await fields(id)).to.deep.equal(before);
    expect(await approvedOnArticle(), "the article's count is back where it was").to.equal(countBefore);
    expect(await queueIds('flagged')).to.include(id);
    expect(await queueIds('pending')).to.include(id);
  });

  it('undoing the rejection of a published comment publishes it again, with its previous status as it was', async () => {
    const id = await insertComment(siteId, { status: 'approved' });
    const before = await fields(id);
    const rejected = await request(app).post(`/api/v1/comments/${id}/reject`).set(bearer(moderator.token)).send({ reason: 'off topic' });
    expect(await queueIds('rejected')).to.include(id);
    const undone = await request(app).post(`/api/v1/comments/${id}/undo`).set(bearer(moderator.token)).send({ revision: rejected.body.revision });
    expect(undone.status).to.equal(200);
    expect(undone.body.status).to.equal('approved');
    expect(await fields(id)).to.deep.equal(before);
    expect(await queueIds('rejected')).to.not.include(id);
    expect(await queueIds('pending')).to.not.include(id);
  });
});
