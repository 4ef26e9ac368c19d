import { z } from 'zod';
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { badRequest, conflict } from './problem';
import { RecentPostModel } from './rateLimit.model';
import { isDuplicateKey } from '../db/errors';
import { op } from '../db/atomic';

/** The field a guest form carries hidden from people; only bots fill it in. */
export const HONEYPOT_FIELD = 'website';

/** The honeypot as the API document shows it on the routes that take it. */
export const honeypotFieldSchema = {
  [HONEYPOT_FIELD]: z.string().max(0).optional().meta({ description: 'Honeypot: hidden from people, must stay empty.' }),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Refuses a post whose honeypot field is filled (400), and removes the field either way so that the
 * comments route's strict schema never sees it.
 */
export const honeypot: RequestHandler = (req, _res, next) => {
  if (!isRecord(req.body) || !(HONEYPOT_FIELD in req.body)) {
    next();
    return;
  }
  const value = req.body[HONEYPOT_FIELD];
  delete req.body[HONEYPOT_FIELD];
  if (value !== '' && value !== null && value !== undefined) {
    throw badRequest('This comment looks automated and was not accepted.', [
      { path: HONEYPOT_FIELD, message: 'must be empty' },
    ]);
  }
  next();
};

function guestEmail(body: Record<string, unknown>): string | null {
  const nested = isRecord(body.guest) ? body.guest.email : undefined;
  for (const candidate of [nested, body.guestEmail, body.email, body.authorEmail]) {
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim().toLowerCase();
  }
  return null;
}

/** Who posts: the signed-in user, else the guest's email, else the client IP. */
function authorKey(req: Request, body: Record<string, unknown>): string {
  if (req.user) return `user:${req.user.id}`;
  const email = guestEmail(body);
  if (email) return `guest:${email}`;
  return `ip:${req.ip ?? 'unknown'}`;
}


/**
 * Refuses (409) the same text from the same author within `windowSeconds`, on any article. The claim
 * is taken atomically before the post is handled (so two identical posts racing each other cannot both
 * pass) and given back when the post does not succeed, so that a corrected retry is not refused.
 */
export function duplicatePostBrake(windowSeconds: number, enabled: boolean): RequestHandler {
  if (!enabled) return (_req, _res, next) => next();
  return async (req, res, next) => {
    if (!isRecord(req.body) || typeof req.body.body !== 'string' || !req.body.body.trim()) {
      next();
      return;
    }
    const text = req.body.body.trim().replace(/\s+/g, ' ');
    const digest = createHash('sha256').update(text).digest('base64url');
    const id = `${authorKey(req, req.body)}:${digest}`;
    const now = new Date();
    const windowOpenedAfter = new Date(now.getTime() - windowSeconds * 1000);
    try {
      await RecentPostModel.findOneAndUpdate(
        // op(): the filter-sanitizing setting would otherwise turn this operator into a literal value.
        { _id: id, at: op({ $lte: windowOpenedAfter }) },
        { $set: { at: now, expiresAt: new Date(now.getTime() + windowSeconds * 1000) } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      throw conflict(`You posted this same text less than ${windowSeconds} seconds ago.`);
    }
    res.once('finish', () => {
      if (res.statusCode >= 200 && res.statusCode < 300) return;
      RecentPostModel.deleteOne({ _id: id, at: now }).catch(() => {
        // Left in place, the claim only delays a retry of the same text until it expires.
      });
    });
    if (Math.random() < 0.01) {
      RecentPostModel.deleteMany({ expiresAt: op({ $lt: now }) }).catch(() => {
        // Old claims are harmless; a later request cleans them.
      });
    }
    next();
  };
}
