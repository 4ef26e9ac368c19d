/**
 * New items of a site's moderation queue, pushed to the console as server-sent events fed by the change
 * feed (so a comment held on another instance arrives within a second). An EventSource cannot send an
 * Authorization header, so the console first trades its bearer token for a ticket: a signed, 60-second,
 * one-site, read-only token that only this stream accepts (and that no other route takes as a session).
 */
import type { Router } from 'express';
import jwt from 'jsonwebtoken';
import { isValidObjectId } from 'mongoose';
import { z } from 'zod';
import { canModerateSite, currentUser, requireRole, toAuthUser } from '../accounts/authenticate';
import { JWT_ALGORITHM } from '../accounts/tokens';
import { UserModel } from '../accounts/user.model';
import { subscribeChanges, type Change } from '../changes/feed';
import type { AppContext } from '../context';
import { forbidden, unauthorized } from '../http/problem';
import { parseInput } from '../http/validate';
import { ConnectionSlots, openEventStream, sseFrame, tooManyStreams } from '../live/stream';
import { documentedRouter } from '../openapi/declare';
import { siteIdParamsSchema } from '../sites/schemas';
import { loadModeratedSite } from './access';

export const TICKET_SECONDS = 60;
/** A stream ends after this long: the console asks for a new ticket, so a revoked moderator stops hearing within it. */
export const STREAM_MAX_SECONDS = 600;
const TICKET_ISSUER = 'threadline:queue-events';

/** The ticket's request has no fields. */
export const queueTicketBodySchema = z.strictObject({}).optional();

/** `?ticket=` of the stream: a ticket from the POST beside it. */
export const queueEventsQuerySchema = z.strictObject({ ticket: z.string().min(20).max(2000).regex(/^[A-Za-z0-9._-]+$/) });

/** The ticket: valid for this site's stream only, for `expiresIn` seconds. */
export const queueTicketSchema = z.object({ ticket: z.string(), expiresIn: z.number().int() });

/** What the console hears: a comment entered a queue (`pending`, also flagged ones, or `rejected`). */
export interface QueueEvent {
  id: string;
  queue: 'pending' | 'rejected';
  articleId: string | null;
}

/** The queue a change brings a comment into, or null when it brings none in. */
export function queueEventOf(change: Change): QueueEvent | null {
  if (!change.commentId || !change.type.startsWith('comment.')) return null;
  const entered =
    (change.status === 'pending' && ['comment.created', 'comment.held', 'comment.edited'].includes(change.type)) ||
    (change.status === 'rejected' && change.type === 'comment.rejected');
  if (!entered) return null;
  return { id: change.commentId, queue: change.status as QueueEvent['queue'], articleId: change.articleId ?? null };
}

function signTicket(userId: string, siteId: string, tokenVersion: number, secret: string): string {
  return jwt.sign({ site: siteId, ver: tokenVersion }, secret, {
    algorithm: JWT_ALGORITHM,
    subject: userId,
    issuer: TICKET_ISSUER,
    expiresIn: TICKET_SECONDS,
  });
}

/** The ticket's user, if it is valid for this site and the user still moderates it (read now, not trusted from the ticket). */
async function ticketUser(ticket: string, siteId: string, secret: string) {
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(ticket, secret, { algorithms: [JWT_ALGORITHM], issuer: TICKET_ISSUER });
  } catch {
    throw unauthorized('The ticket is not valid or has expired; ask for a new one.');
  }
  if (typeof payload === 'string' || payload.site !== siteId || typeof payload.sub !== 'string' || !isValidObjectId(payload.sub)) {
    throw unauthorized('The ticket is not valid for this site.');
  }
  const user = await UserModel.findById(payload.sub).lean();
  if (!user || user.tokenVersion !== payload.ver) throw unauthorized('This session has ended; sign in again.');
  const authUser = toAuthUser(user);
  if (!canModerateSite(authUser, siteId)) throw forbidden('You do not moderate this site.');
  return authUser;
}

const staffOnly = requireRole('moderator', 'admin');

export function queueEventRoutes({ config }: AppContext, slots = new ConnectionSlots({ maxStreams: config.LIVE_MAX_STREAMS, maxStreamsPerIp: config.LIVE_MAX_STREAMS_PER_IP })): Router {
  const api = documentedRouter();

  api.post(
    '/sites/:siteId/moderation/events/ticket',
    {
      operationId: 'moderationEventsTicket',
      summary: "A 60-second ticket for the queue's event stream (an EventSource cannot send the Authorization header). Moderators of the site and admins.",
      tags: ['moderation'],
      signedIn: 'required',
      params: siteIdParamsSchema,
      body: queueTicketBodySchema,
      bodyOptional: true,
      problems: [403],
      responses: { 201: { description: 'The ticket, for this site and this stream only.', schema: queueTicketSchema } },
    },
    staffOnly,
    async (req, res) => {
    const user = currentUser(req);
    parseInput(queueTicketBodySchema, req.body, 'body');
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const ticket = signTicket(user.id, String(site._id), user.tokenVersion, config.JWT_SECRET);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json({ ticket, expiresIn: TICKET_SECONDS });
    },
  );

  api.get(
    '/sites/:siteId/moderation/events',
    {
      operationId: 'moderationEvents',
      summary:
        "New items of a site's moderation queue as server-sent events: `queue` ({id, queue: pending|rejected, articleId}) when a comment enters a queue; ends after 10 minutes (ask for a new ticket). Authorised by `?ticket=`, checked against the user's current roles.",
      tags: ['moderation'],
      params: siteIdParamsSchema,
      query: queueEventsQuerySchema,
      problems: [401, 403, 429],
      responses: { 200: { description: 'An event stream.', contentType: 'text/event-stream', schema: z.string() } },
    },
    async (req, res) => {
    const { ticket } = parseInput(queueEventsQuerySchema, req.query, 'query');
    const user = await ticketUser(ticket, String(req.params.siteId), config.JWT_SECRET);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const siteId = String(site._id);
    const release = slots.acquire(req.ip ?? 'unknown');
    if (!release) throw tooManyStreams('Too many live connections; the console polls instead.');
    let stop = (): void => undefined;
    const expire = setTimeout(() => res.end(), STREAM_MAX_SECONDS * 1000);
    const write = openEventStream(req, res, {
      heartbeatSeconds: config.LIVE_HEARTBEAT_SECONDS,
      ready: {},
      onEnd: () => {
        clearTimeout(expire);
        stop();
        release();
      },
    });
    stop = subscribeChanges((change) => {
      if (change.siteId !== siteId) return;
      const event = queueEventOf(change);
      if (event) write(sseFrame('queue', event));
    });
    },
  );

  return api.router;
}
