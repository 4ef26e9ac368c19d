import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { articleIdSchema, articleParamsSchema } from '../comments/schemas';
import type { AppContext } from '../context';
import { badRequest, notFound } from '../http/problem';
import { isObjectIdString, objectIdString, parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import { getSite } from '../sites/service';
import { LIVE_EVENT_TYPES } from './events';
import { LiveHub, type SequencedEvent } from './hub';
import { openEventStream, sseFrame, tooManyStreams } from './stream';

const eventsQuery = z.strictObject({
  /** `1`: answer with JSON once an event arrives or the wait ends (for proxies that buffer streams). */
  poll: z.literal('1').optional(),
  /** The cursor of the last event seen (poll mode); without one, the answer names the current cursor. */
  since: z.string().regex(/^[A-Za-z0-9_-]{1,16}\.\d{1,15}$/, 'must be a cursor from an earlier answer').optional(),
});
const CURSOR = /^[A-Za-z0-9_-]{1,16}\.\d{1,15}$/;

/** The answer of a long poll (`?poll=1`). */
const pollAnswerSchema = z.object({
  events: z.array(z.object({ id: objectIdString, type: z.enum(LIVE_EVENT_TYPES) })),
  cursor: z.string(),
  reset: z.literal(true).optional().meta({ description: 'The cursor is unknown here: reload the thread.' }),
});

const commentFrame = (event: SequencedEvent): string => sseFrame('comment', { id: event.id, type: event.type }, event.cursor);

/**
 * Live threads: `GET /sites/:siteId/articles/:articleId/events` streams `comment` events
 * (text/event-stream) with a heartbeat comment every LIVE_HEARTBEAT_SECONDS; `?poll=1&since=` is the
 * long-poll fallback for proxies that buffer streams. Connections are bounded per client IP and per instance.
 */
export function liveRoutes({ config }: AppContext, hub = new LiveHub({ maxStreams: config.LIVE_MAX_STREAMS, maxStreamsPerIp: config.LIVE_MAX_STREAMS_PER_IP })): Router {
  const api = documentedRouter();

  api.get(
    '/sites/:siteId/articles/:articleId/events',
    { operationId: 'articleEvents', summary: 'Live thread: `comment` events ({id, type: created|edited|deleted}) for public changes; `?poll=1&since=` long-polls.', tags: ['comments'], params: articleParamsSchema, query: eventsQuery, responses: { 200: { description: 'An event stream, or (poll=1) the events after `since` as JSON.', schema: pollAnswerSchema, alternatives: { 'text/event-stream': z.string() } } } },
    async (req, res) => {
    const siteId = String(req.params.siteId);
    if (!isObjectIdString(siteId)) throw notFound('No site with this id.');
    const article = articleIdSchema.safeParse(req.params.articleId);
    if (!article.success) throw badRequest('The article id is invalid.', [{ path: 'articleId', message: article.error.issues[0].message }]);
    const query = parseInput(eventsQuery, req.query, 'query');
    await getSite(siteId);
    const release = hub.acquire(req.ip ?? 'unknown');
    if (!release) throw tooManyStreams();
    if (query.poll) longPoll(req, res, hub, siteId, article.data, query.since ?? null, release);
    else stream(req, res, hub, siteId, article.data, release);
  });

  function stream(req: Request, res: Response, liveHub: LiveHub, siteId: string, articleId: string, release: () => void): void {
    let stop = (): void => undefined;
    const write = openEventStream(req, res, {
      heartbeatSeconds: config.LIVE_HEARTBEAT_SECONDS,
      ready: { cursor: liveHub.currentCursor() },
      onEnd: () => {
        stop();
        release();
      },
    });
    // A reconnecting EventSource names the last event it saw: replay what it missed, or tell it to reload.
    const lastId = req.get('Last-Event-ID');
    if (lastId && CURSOR.test(lastId)) {
      const missed = liveHub.eventsSince(siteId, articleId, lastId);
      if (missed === null) write('event: reload\ndata: {}\n\n');
      else for (const event of missed) write(commentFrame(event));
    }
    stop = liveHub.listen(siteId, articleId, (event) => write(commentFrame(event)));
  }

  function longPoll(
    req: Request,
    res: Response,
    liveHub: LiveHub,
    siteId: string,
    articleId: string,
    since: string | null,
    release: () => void,
  ): void {
    res.setHeader('Cache-Control', 'no-store');
    const answer = (events: SequencedEvent[], reset = false): void => {
      if (res.headersSent) return;
      res.json({
        events: events.map(({ id, type }) => ({ id, type })),
        cursor: events.at(-1)?.cursor ?? liveHub.currentCursor(),
        ...(reset ? { reset: true } : {}),
      });
    };
    if (!since) {
      release();
      answer([]);
      return;
    }
    const missed = liveHub.eventsSince(siteId, articleId, since);
    if (missed === null || missed.length > 0) {
      release();
      answer(missed ?? [], missed === null);
      return;
    }
    const finish = (events: SequencedEvent[]): void => {
      clearTimeout(timer);
      stop();
      release();
      answer(events);
    };
    const stop = liveHub.listen(siteId, articleId, (event) => finish([event]));
    const timer = setTimeout(() => finish([]), config.LIVE_POLL_SECONDS * 1000);
    req.on('close', () => {
      clearTimeout(timer);
      stop();
      release();
    });
  }

  return api.router;
}
