import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { subscribeChanges, type Change } from '../../src/changes/feed';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, insertComment } from '../moderation/helpers';

const thread = (siteId: string, articleId: string): string => `/api/v1/sites/${siteId}/articles/${articleId}/comments`;

describe('administration endpoints', () => {
  let app: Express;
  let siteA: string;
  let siteB: string;
  let admin: TestUser;
  let moderatorA: TestUser;

  before(async () => {
    app = testApp({ PUBLIC_URL: 'https://comments.example' });
    siteA = (await createTestSite({ premoderation: 'all' })).id;
    siteB = (await createTestSite({ premoderation: 'all' })).id;
    admin = await createTestUser({ role: 'admin' });
    moderatorA = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteA] });
  });

  it('lists every site to an admin in pages, and only the moderated ones to a moderator', async () => {
    const first = await request(app).get('/api/v1/sites?limit=1').set(bearer(admin.token));
    expect(first.status).to.equal(200);
    expect(first.body.items).to.have.length(1);
    const second = await request(app).get(`/api/v1/sites?limit=1&cursor=${first.body.nextCursor}`).set(bearer(admin.token));
    expect(second.body.items[0].id).to.not.equal(first.body.items[0].id);
    const mine = await request(app).get('/api/v1/sites').set(bearer(moderatorA.token));
    expect(mine.body.items.map((s: { id: string }) => s.id)).to.deep.equal([siteA]);
    const reader = await createTestUser();
    expect((await request(app).get('/api/v1/sites').set(bearer(reader.token))).status).to.equal(403);
    expect((await request(app).get('/api/v1/sites?cursor=bad').set(bearer(admin.token))).status).to.equal(400);
  });

  it('grants and revokes a site\'s moderator role (admin only)', async () => {
    const person = await createTestUser();
    expect((await request(app).put(`/api/v1/sites/${siteB}/moderators/${person.id}`).set(bearer(moderatorA.token))).status).to.equal(403);
    expect((await request(app).put(`/api/v1/sites/${siteB}/moderators/${person.id}`).set(bearer(admin.token))).status).to.equal(204);
    expect((await request(app).get(`/api/v1/sites/${siteB}/moderation/queue`).set(bearer(person.token))).status).to.equal(200);
    const list = await request(app).get(`/api/v1/sites/${siteB}/moderators`).set(bearer(admin.token));
    expect(list.body.items.map((u: { id: string }) => u.id)).to.include(person.id);
    expect((await request(app).get(`/api/v1/sites/${siteB}/moderators`).set(bearer(moderatorA.token))).status).to.equal(403);
    expect((await request(app).delete(`/api/v1/sites/${siteB}/moderators/${person.id}`).set(bearer(admin.token))).status).to.equal(204);
    expect((await request(app).get(`/api/v1/sites/${siteB}/moderation/queue`).set(bearer(person.token))).status).to.equal(403);
    expect((await request(app).get('/api/v1/auth/me').set(bearer(person.token))).body.role).to.equal('commenter');
    expect((await request(app).put(`/api/v1/sites/${siteB}/moderators/0123456789abcdef01234567`).set(bearer(admin.token))).status).to.equal(404);
  });

  it('finds people: admins by email or name, moderators only among their sites\' commenters', async () => {
    const here = await createTestUser({ displayName: 'Quillon Here' });
    const there = await createTestUser({ displayName: 'Quillon There' });
    await insertComment(siteA, { authorId: here.id, displayName: here.displayName });
    await insertComment(siteB, { authorId: there.id, displayName: there.displayName });
    const byAdmin = await request(app).get('/api/v1/people?q=Quillon').set(bearer(admin.token));
    expect(byAdmin.body.items.map((u: { id: string }) => u.id)).to.include.members([here.id, there.id]);
    const byEmail = await request(app).get(`/api/v1/people?q=${encodeURIComponent(here.email)}`).set(bearer(admin.token));
    expect(byEmail.body.items).to.have.length(1);
    expect(byEmail.body.items[0]).to.include({ id: here.id, email: here.email });
    const byModerator = await request(app).get('/api/v1/people?q=quillon').set(bearer(moderatorA.token));
    expect(byModerator.body.items.map((u: { id: string }) => u.id)).to.deep.equal([here.id]);
    expect(byModerator.body.items[0]).to.not.have.property('email');
    const moderatorByEmail = await request(app).get(`/api/v1/people?q=${encodeURIComponent(there.email)}`).set(bearer(moderatorA.token));
    expect(moderatorByEmail.body.items).to.deep.equal([]);
    expect((await request(app).get(`/api/v1/people?q=quillon&siteId=${siteB}`).set(bearer(moderatorA.token))).status).to.equal(403);
  });

  it('shows a commenter\'s record on a site: comments by status, flags, decisions and bans', async () => {
    const person = await createTestUser({ displayName: 'Recorded Rook' });
    const held = await insertComment(siteA, { authorId: person.id });
    await insertComment(siteA, { authorId: person.id, status: 'approved' });
    await insertComment(siteB, { authorId: person.id, status: 'approved' });
    await request(app).post(`/api/v1/comments/${held}/reject`).set(bearer(moderatorA.token)).send({ reason: 'rude' });
    await request(app).post(`/api/v1/sites/${siteA}/bans`).set(bearer(moderatorA.token)).send({ userId: person.id, reason: 'rude again' });
    const res = await request(app).get(`/api/v1/sites/${siteA}/users/${person.id}`).set(bearer(moderatorA.token));
    expect(res.status).to.equal(200);
    expect(res.body.summary.counts).to.include({ approved: 1, rejected: 1, pending: 0 });
    expect(res.body.summary.bannedHere).to.equal(true);
    expect(res.body.comments).to.have.length(2);
    expect(res.body.decisions.map((d: { action: string }) => d.action)).to.include.members(['rejected', 'banned']);
    expect(res.body.bans[0]).to.include({ scope: 'site', reason: 'rude again', active: true });
    expect(res.body.user).to.not.have.property('email');
    expect(res.body.flagsAgainst.total).to.equal(0);
    expect((await request(app).get(`/api/v1/sites/${siteB}/users/${person.id}`).set(bearer(moderatorA.token))).status).to.equal(403);
  });

  it('gives the embed snippet with the site id and this service\'s address', async () => {
    const res = await request(app).get(`/api/v1/sites/${siteA}/embed`).set(bearer(moderatorA.token));
    expect(res.status).to.equal(200);
    expect(res.body.html).to.include(`data-site="${siteA}"`).and.include('https://comments.example/embed.js');
  });

  it('features a comment: marked in the thread, listed, in the history, undone by unfeaturing', async () => {
    const open = (await createTestSite({ premoderation: 'none' })).id;
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [open] });
    const reader = await createTestUser();
    const posted = await request(app).post(thread(open, 'picks')).set(bearer(reader.token)).send({ body: 'A careful, kind reply.' });
    const id = posted.body.id as string;
    const heard: Change[] = [];
    const stop = subscribeChanges((c) => {
      if (c.commentId === id) heard.push(c);
    });
    const featured = await request(app).put(`/api/v1/comments/${id}/featured`).set(bearer(moderator.token));
    expect(featured.status).to.equal(200);
    expect(featured.body.featured).to.equal(true);
    expect((await request(app).put(`/api/v1/comments/${id}/featured`).set(bearer(moderatorA.token))).status).to.equal(403);
    const page = await request(app).get(thread(open, 'picks'));
    expect(page.body.comments[0].featured, JSON.stringify(page.body)).to.equal(true);
    const list = await request(app).get(`/api/v1/sites/${open}/articles/picks/featured`);
    expect(list.body.comments.map((c: { id: string }) => c.id)).to.deep.equal([id]);
    await request(app).delete(`/api/v1/comments/${id}/featured`).set(bearer(moderator.token));
    stop();
    expect((await request(app).get(`/api/v1/sites/${open}/articles/picks/featured`)).body.comments).to.deep.equal([]);
    const history = await request(app).get(`/api/v1/comments/${id}/history`).set(bearer(moderator.token));
    expect(history.body.actions.map((a: { action: string }) => a.action)).to.include.members(['featured', 'unfeatured']);
    expect(heard.map((c) => c.type)).to.deep.equal(['comment.featured', 'comment.featured']);
    const pending = await insertComment(open);
    expect((await request(app).put(`/api/v1/comments/${pending}/featured`).set(bearer(moderator.token))).status).to.equal(409);
  });

  it('undoes one\'s own last decision while nothing changed since', async () => {
    const id = await insertComment(siteA);
    const approved = await request(app).post(`/api/v1/comments/${id}/approve`).set(bearer(moderatorA.token)).send({});
    const other = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteA] });
    expect((await request(app).post(`/api/v1/comments/${id}/undo`).set(bearer(other.token)).send({ revision: approved.body.revision })).status).to.equal(409);
    expect((await request(app).post(`/api/v1/comments/${id}/undo`).set(bearer(moderatorA.token)).send({ revision: 0 })).status).to.equal(409);
    const undone = await request(app).post(`/api/v1/comments/${id}/undo`).set(bearer(moderatorA.token)).send({ revision: approved.body.revision });
    expect(undone.status).to.equal(200);
    expect(undone.body.status).to.equal('pending');
    const queue = await request(app).get(`/api/v1/sites/${siteA}/moderation/queue?limit=100`).set(bearer(moderatorA.token));
    expect(queue.body.items.map((i: { id: string }) => i.id)).to.include(id);
  });

  it('searches a site\'s comments by text, author and article, and opens a whole conversation', async () => {
    const author = await createTestUser({ displayName: 'Searchable Sparrow' });
    const root = await request(app).post(thread(siteA, 'harbour-walls')).set(bearer(admin.token)).send({ body: 'Root about the seawall levy.' });
    const reply = await insertComment(siteA, { authorId: author.id, displayName: author.displayName, articleId: 'harbour-walls', body: 'A reply mentioning the LIGHTHOUSE keeper.' });
    await insertComment(siteB, { body: 'Lighthouse on another site.' });
    const byText = await request(app).get(`/api/v1/sites/${siteA}/moderation/search?q=lighthouse`).set(bearer(moderatorA.token));
    expect(byText.body.items.map((c: { id: string }) => c.id)).to.deep.equal([reply]);
    const byAuthor = await request(app).get(`/api/v1/sites/${siteA}/moderation/search?author=searchable`).set(bearer(moderatorA.token));
    expect(byAuthor.body.items.map((c: { id: string }) => c.id)).to.deep.equal([reply]);
    const byArticle = await request(app).get(`/api/v1/sites/${siteA}/moderation/search?article=harbour-walls`).set(bearer(moderatorA.token));
    expect(byArticle.body.items.map((c: { id: string }) => c.id)).to.have.members([reply, root.body.id]);
    expect((await request(app).get(`/api/v1/sites/${siteB}/moderation/search?q=x`).set(bearer(moderatorA.token))).status).to.equal(403);

    const child = await request(app).post(thread(siteA, 'harbour-walls')).set(bearer(admin.token)).send({ body: 'Child reply.', parentId: root.body.id });
    const conversation = await request(app).get(`/api/v1/comments/${child.body.id}/conversation`).set(bearer(moderatorA.token));
    expect(conversation.body.rootId).to.equal(root.body.id);
    expect(conversation.body.items.map((c: { id: string }) => c.id)).to.deep.equal([root.body.id, child.body.id]);
  });

  it('keeps a watch list per moderator and site, and narrows the queue to it', async () => {
    const watched = await insertComment(siteA, { articleId: 'storm-night' });
    const put = await request(app).put(`/api/v1/sites/${siteA}/moderation/watchlist`).set(bearer(moderatorA.token)).send({ articleIds: ['storm-night'] });
    expect(put.body.articleIds).to.deep.equal(['storm-night']);
    expect((await request(app).get(`/api/v1/sites/${siteA}/moderation/watchlist`).set(bearer(moderatorA.token))).body.articleIds).to.deep.equal(['storm-night']);
    const queue = await request(app).get(`/api/v1/sites/${siteA}/moderation/queue?articles=storm-night`).set(bearer(moderatorA.token));
    expect(queue.body.items.map((c: { id: string }) => c.id)).to.deep.equal([watched]);
    expect(queue.body.items[0]).to.have.property('authorRecord');
    expect(queue.body.items[0]).to.have.property('parent', null);
  });
});
