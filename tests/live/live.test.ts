import { expect } from 'chai';
import { Types } from 'mongoose';
import { publishChange, type Change } from '../../src/changes/feed';
import { publicEvent } from '../../src/live/events';
import { testApp } from '../support/app';
import { createTestSite } from '../support/fixtures';
import { commentEvent, listen, openStream, type ListeningApp } from './liveSupport';

const change = (over: Partial<Change>): Omit<Change, 'at'> => ({ type: 'comment.created', siteId: 'x', ...over });

describe('readers: live threads', () => {
  describe('which changes are public', () => {
    it('announces what readers can see, and nothing else', () => {
      const base = { siteId: 's', articleId: 'a', commentId: 'c', at: '' };
      const ev = (over: Partial<Change>) => publicEvent({ ...base, type: 'comment.created', ...over });
      expect(ev({ status: 'approved' })).to.deep.equal({ id: 'c', type: 'created' });
      expect(ev({ status: 'pending' }), 'a held comment is not announced').to.equal(null);
      expect(ev({ type: 'comment.approved', status: 'approved', previousStatus: 'pending' })).to.deep.equal({ id: 'c', type: 'created' });
      expect(ev({ type: 'comment.edited', status: 'approved', previousStatus: 'approved' })).to.deep.equal({ id: 'c', type: 'edited' });
      expect(ev({ type: 'comment.edited', status: 'pending', previousStatus: 'pending' })).to.equal(null);
      expect(ev({ type: 'comment.edited', status: 'pending', previousStatus: 'approved' })).to.deep.equal({ id: 'c', type: 'deleted' });
      expect(ev({ type: 'comment.held', status: 'pending', previousStatus: 'approved' })).to.deep.equal({ id: 'c', type: 'deleted' });
      expect(ev({ type: 'comment.deleted', status: 'deleted', previousStatus: 'approved' })).to.deep.equal({ id: 'c', type: 'deleted' });
      expect(ev({ type: 'comment.deleted', status: 'deleted', previousStatus: 'pending' })).to.equal(null);
      expect(ev({ type: 'comment.rejected', status: 'rejected', previousStatus: 'pending' })).to.equal(null);
      expect(ev({ type: 'comment.voted', status: 'approved', previousStatus: 'approved' })).to.equal(null);
    });
  });

  describe('GET /sites/:siteId/articles/:articleId/events', () => {
    let server: ListeningApp;
    let siteId: string;
    const path = (article: string, query = ''): string => `${server.url}/api/v1/sites/${siteId}/articles/${article}/events${query}`;

    before(async () => {
      server = await listen(testApp({ LIVE_MAX_STREAMS_PER_IP: '3', LIVE_HEARTBEAT_SECONDS: '1', LIVE_POLL_SECONDS: '2' }));
      siteId = (await createTestSite()).id;
    });
    after(() => server.close());

    it('streams public comment events of its article only, with heartbeats', async () => {
      const stream = await openStream(path('live-one'));
      try {
        expect(stream.status).to.equal(200);
        expect(stream.headers.get('content-type')).to.match(/^text\/event-stream/);
        expect(stream.headers.get('cache-control')).to.contain('no-cache');
        await stream.waitFor((f) => f.event === 'ready');
        const [held, shown, other] = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()].map(String);
        await publishChange(change({ siteId, articleId: 'live-one', commentId: held, status: 'pending' }));
        await publishChange(change({ siteId, articleId: 'live-two', commentId: other, status: 'approved' }));
        await publishChange(change({ siteId, articleId: 'live-one', commentId: shown, status: 'approved' }));
        await stream.waitFor(commentEvent(shown, 'created'));
        await publishChange(change({ type: 'comment.approved', siteId, articleId: 'live-one', commentId: held, status: 'approved', previousStatus: 'pending' }));
        await stream.waitFor(commentEvent(held, 'created'));
        await publishChange(change({ type: 'comment.edited', siteId, articleId: 'live-one', commentId: shown, status: 'approved', previousStatus: 'approved' }));
        await stream.waitFor(commentEvent(shown, 'edited'));
        await publishChange(change({ type: 'comment.deleted', siteId, articleId: 'live-one', commentId: shown, status: 'deleted', previousStatus: 'approved' }));
        await stream.waitFor(commentEvent(shown, 'deleted'));
        const comments = stream.frames.filter((f) => f.event === 'comment').map((f) => JSON.parse(f.data));
        expect(comments).to.deep.equal([
          { id: shown, type: 'created' },
          { id: held, type: 'created' },
          { id: shown, type: 'edited' },
          { id: shown, type: 'deleted' },
        ]);
        await stream.waitForComment('heartbeat', 3000);
      } finally {
        stream.close();
      }
    });

    it('replays what a reconnecting stream missed (Last-Event-ID), and asks for a reload when it cannot', async () => {
      const first = await openStream(path('live-replay'));
      const a = String(new Types.ObjectId());
      const b = String(new Types.ObjectId());
      await publishChange(change({ siteId, articleId: 'live-replay', commentId: a, status: 'approved' }));
      const seen = await first.waitFor(commentEvent(a, 'created'));
      first.close();
      await publishChange(change({ siteId, articleId: 'live-replay', commentId: b, status: 'approved' }));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = await openStream(path('live-replay'), { 'Last-Event-ID': seen.id ?? '' });
      try {
        await again.waitFor(commentEvent(b, 'created'));
        expect(again.frames.some(commentEvent(a, 'created')), 'no repeat of what was seen').to.equal(false);
      } finally {
        again.close();
      }
      const stranger = await openStream(path('live-replay'), { 'Last-Event-ID': 'otherinstance.5' });
      try {
        await stranger.waitFor((f) => f.event === 'reload');
      } finally {
        stranger.close();
      }
    });

    it('long-polls as a fallback for proxies that buffer streams', async () => {
      const start = await fetch(path('live-poll', '?poll=1'));
      expect(start.status).to.equal(200);
      const { cursor } = (await start.json()) as { cursor: string };
      const id = String(new Types.ObjectId());
      const waiting = fetch(path('live-poll', `?poll=1&since=${encodeURIComponent(cursor)}`));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await publishChange(change({ siteId, articleId: 'live-poll', commentId: id, status: 'approved' }));
      const answer = (await (await waiting).json()) as { events: unknown[]; cursor: string };
      expect(answer.events).to.deep.equal([{ id, type: 'created' }]);
      expect(answer.cursor).to.not.equal(cursor);

      const quiet = (await (await fetch(path('live-poll', `?poll=1&since=${encodeURIComponent(answer.cursor)}`))).json()) as { events: unknown[] };
      expect(quiet.events, 'an empty answer after LIVE_POLL_SECONDS').to.deep.equal([]);
      const unknown = (await (await fetch(path('live-poll', '?poll=1&since=elsewhere.3'))).json()) as { reset?: boolean };
      expect(unknown.reset).to.equal(true);
      expect((await fetch(path('live-poll', '?poll=1&since=bad cursor'))).status).to.equal(400);
    });

    it('bounds connections per client IP (429), and frees the slot when a stream closes', async () => {
      const streams = await Promise.all([0, 1, 2].map(() => openStream(path('live-limit'))));
      try {
        for (const s of streams) expect(s.status).to.equal(200);
        const refused = await fetch(path('live-limit'));
        expect(refused.status).to.equal(429);
        expect(refused.headers.get('content-type')).to.match(/problem\+json/);
        expect(refused.headers.get('retry-after')).to.equal('30');
        streams[0].close();
        let reopened = 0;
        for (let attempt = 0; attempt < 50 && reopened !== 200; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          const next = await openStream(path('live-limit'));
          reopened = next.status;
          next.close();
        }
        expect(reopened).to.equal(200);
      } finally {
        for (const s of streams) s.close();
      }
    });

    it('bounds connections per instance', async () => {
      const small = await listen(testApp({ LIVE_MAX_STREAMS: '1' }));
      const url = `${small.url}/api/v1/sites/${siteId}/articles/live-total/events`;
      const one = await openStream(url);
      try {
        expect(one.status).to.equal(200);
        expect((await fetch(url)).status).to.equal(429);
      } finally {
        one.close();
        await small.close();
      }
    });

    it('answers 404 for an unknown site and 400 for a bad article id', async () => {
      expect((await fetch(`${server.url}/api/v1/sites/${new Types.ObjectId()}/articles/a/events`)).status).to.equal(404);
      expect((await fetch(path('bad%20id'))).status).to.equal(400);
    });
  });
});
