import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { queueEventOf } from '../../src/moderation/queueEvents';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { listen, openStream, type ListeningApp } from '../live/liveSupport';
import { bearer, insertComment } from './helpers';

describe('moderation queue events (server-sent, for the console)', () => {
  let server: ListeningApp;
  let siteId: string;
  let otherSiteId: string;
  let moderator: TestUser;
  let otherModerator: TestUser;

  before(async () => {
    server = await listen(testApp({ LIVE_HEARTBEAT_SECONDS: '1' }));
    siteId = (await createTestSite({ premoderation: 'all' })).id;
    otherSiteId = (await createTestSite({ premoderation: 'all' })).id;
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
    otherModerator = await createTestUser({ role: 'moderator', moderatedSiteIds: [otherSiteId] });
  });
  after(() => server.close());

  const ticketFor = async (user: TestUser, site: string): Promise<request.Response> =>
    request(server.url).post(`/api/v1/sites/${site}/moderation/events/ticket`).set(bearer(user.token)).send({});
  const streamPath = (site: string, ticket: string): string => `${server.url}/api/v1/sites/${site}/moderation/events?ticket=${encodeURIComponent(ticket)}`;

  it('says which queue a change brings a comment into, and nothing for the others', () => {
    const base = { siteId: 's', articleId: 'a', commentId: 'c', at: '' };
    expect(queueEventOf({ ...base, type: 'comment.created', status: 'pending' })).to.deep.equal({ id: 'c', queue: 'pending', articleId: 'a' });
    expect(queueEventOf({ ...base, type: 'comment.held', status: 'pending', previousStatus: 'approved' })).to.deep.equal({ id: 'c', queue: 'pending', articleId: 'a' });
    expect(queueEventOf({ ...base, type: 'comment.rejected', status: 'rejected' })).to.deep.equal({ id: 'c', queue: 'rejected', articleId: 'a' });
    expect(queueEventOf({ ...base, type: 'comment.created', status: 'approved' })).to.equal(null);
    expect(queueEventOf({ ...base, type: 'comment.approved', status: 'approved' })).to.equal(null);
    expect(queueEventOf({ ...base, type: 'comment.voted', status: 'pending' })).to.equal(null);
  });

  it('gives tickets to the site\'s moderators only', async () => {
    expect((await request(server.url).post(`/api/v1/sites/${siteId}/moderation/events/ticket`).send({})).status).to.equal(401);
    expect((await ticketFor(otherModerator, siteId)).status).to.equal(403);
    expect((await ticketFor(moderator, siteId)).status).to.equal(201);
    const extra = await request(server.url).post(`/api/v1/sites/${siteId}/moderation/events/ticket`).set(bearer(moderator.token)).send({ site: 'x' });
    expect(extra.status).to.equal(400);
  });

  it('streams the site\'s new queue items to a ticket holder, not another site\'s', async () => {
    const { ticket } = (await ticketFor(moderator, siteId)).body as { ticket: string };
    const stream = await openStream(streamPath(siteId, ticket));
    try {
      expect(stream.status).to.equal(200);
      expect(stream.headers.get('content-type')).to.match(/^text\/event-stream/);
      await stream.waitFor((f) => f.event === 'ready');
      const reader = await createTestUser();
      const elsewhere = await request(server.url)
        .post(`/api/v1/sites/${otherSiteId}/articles/quay/comments`)
        .set(bearer(reader.token))
        .send({ body: 'Held on the other site' });
      expect(elsewhere.status).to.equal(201);
      const posted = await request(server.url).post(`/api/v1/sites/${siteId}/articles/quay/comments`).set(bearer(reader.token)).send({ body: 'Held here' });
      expect(posted.status).to.equal(201);
      const frame = await stream.waitFor((f) => f.event === 'queue');
      expect(JSON.parse(frame.data)).to.deep.equal({ id: posted.body.id, queue: 'pending', articleId: 'quay' });
      const rejected = await insertComment(siteId);
      await request(server.url).post(`/api/v1/comments/${rejected}/reject`).set(bearer(moderator.token)).send({ reason: 'spam' });
      await stream.waitFor((f) => f.event === 'queue' && JSON.parse(f.data).queue === 'rejected');
      const ids = stream.frames.filter((f) => f.event === 'queue').map((f) => JSON.parse(f.data).id);
      expect(ids).to.not.include(elsewhere.body.id);
      await stream.waitForComment('heartbeat', 3000);
    } finally {
      stream.close();
    }
  });

  it('refuses a missing, forged or other site\'s ticket, and a session token in its place (and the ticket as a session)', async () => {
    const { ticket } = (await ticketFor(moderator, siteId)).body as { ticket: string };
    const refused = async (url: string): Promise<number> => {
      const res = await fetch(url);
      await res.body?.cancel();
      return res.status;
    };
    expect(await refused(`${server.url}/api/v1/sites/${siteId}/moderation/events`)).to.equal(400);
    expect(await refused(streamPath(otherSiteId, ticket))).to.equal(401);
    expect(await refused(streamPath(siteId, moderator.token))).to.equal(401);
    expect(await refused(streamPath(siteId, `${ticket.slice(0, -4)}AAAA`))).to.equal(401);
    const asSession = await request(server.url).get(`/api/v1/sites/${siteId}/moderation/queue`).set(bearer(ticket));
    expect(asSession.status).to.equal(401);
    const missing = new Types.ObjectId();
    expect(await refused(streamPath(String(missing), ticket))).to.equal(401);
  });
});
