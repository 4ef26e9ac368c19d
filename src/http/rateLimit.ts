import type { Request, RequestHandler } from 'express';
import type { Config } from '../config/config';
import { tooManyRequests } from './problem';
import { RateLimitCounterModel } from './rateLimit.model';
import { isDuplicateKey } from '../db/errors';
import { insertOnce, op } from '../db/atomic';

export interface RateLimitRule {
  /** Names the counter family, e.g. `comment-post`. */
  bucket: string;
  windowSeconds: number;
  /** Requests per window for one signed-in user. */
  perUser: number;
  /** Requests per window from one client IP, signed in or not. */
  perIp: number;
}


const CLEANUP_INTERVAL_MS = 60_000;
let lastCleanup = 0;

/**
 * Deletes windows that have ended, at most once a minute per process, in the background: no TTL
 * index is used because not every MongoDB-wire server has them.
 */
export function cleanExpiredWindows(now = Date.now()): Promise<void> | null {
  if (now - lastCleanup < CLEANUP_INTERVAL_MS) return null;
  lastCleanup = now;
  return RateLimitCounterModel.deleteMany({ expiresAt: op({ $lt: new Date(now) }) }).then(
    () => undefined,
    () => {
      // A failed clean-up only leaves old counters behind; the next one retries.
    },
  );
}

/**
 * Counts one hit for `<bucket>:<key>` in the current fixed window and returns its place in the window.
 *
 * The window document `<bucket>:<key>:<windowStart>` takes an atomic `$inc` upsert. MongoDB makes that
 * exact; FerretDB on SQLite does not (concurrent increments are lost), so its count is only a lower
 * bound. The hit therefore also claims a slot document `<windowStart>:<n>` by inserting it: `_id`
 * uniqueness holds on every server, so no two hits get the same place and at most `max` are admitted.
 * Past `max` no slot is claimed.
 */
export async function hitCounter(
  bucket: string,
  key: string,
  windowSeconds: number,
  max: number,
  now = Date.now(),
): Promise<{ count: number; resetAt: number }> {
  const windowMs = windowSeconds * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const resetAt = windowStart + windowMs;
  const expiresAt = new Date(resetAt);
  const id = `${bucket}:${key}:${windowStart}`;
  void cleanExpiredWindows(now);

  let lowerBound = 1;
  try {
    const counter = await RateLimitCounterModel.findOneAndUpdate(
      { _id: id },
      { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    lowerBound = counter?.count ?? 1;
  } catch (err) {
    // Two first hits raced to create the window; the slots below still count both.
    if (!isDuplicateKey(err)) throw err;
  }
  // Probing with growing steps keeps a crowded window to a few round trips; a skipped free slot only
  // makes the limit stricter, never looser, because every admitted hit holds its own slot <= max.
  for (let place = lowerBound, step = 1; place <= max; place += step, step *= 2) {
    if (await insertOnce(() => RateLimitCounterModel.create({ _id: `${id}:${place}`, count: place, expiresAt }))) {
      return { count: place, resetAt };
    }
  }
  return { count: Math.max(lowerBound, max + 1), resetAt };
}

function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/**
 * A middleware that allows `perUser` requests per window to each signed-in user and `perIp` to each
 * client IP; past either it answers 429 problem+json with Retry-After. Place it after authenticate().
 */
export function rateLimit(rule: RateLimitRule, enabled: boolean): RequestHandler {
  if (!enabled) return (_req, _res, next) => next();
  return async (req, res, next) => {
    const now = Date.now();
    const counters: { key: string; max: number }[] = [{ key: `ip:${clientIp(req)}`, max: rule.perIp }];
    if (req.user) counters.push({ key: `user:${req.user.id}`, max: rule.perUser });
    let remaining = Number.POSITIVE_INFINITY;
    let limit = Number.POSITIVE_INFINITY;
    let resetAt = now;
    for (const { key, max } of counters) {
      const hit = await hitCounter(rule.bucket, key, rule.windowSeconds, max, now);
      resetAt = hit.resetAt;
      if (max - hit.count < remaining) {
        remaining = max - hit.count;
        limit = max;
      }
    }
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, remaining)));
    res.setHeader('RateLimit-Reset', String(Math.max(1, Math.ceil((resetAt - now) / 1000))));
    if (remaining < 0) {
      throw tooManyRequests(
        `Too many requests of this kind; at most ${limit} per ${rule.windowSeconds} s. Try again later.`,
        (resetAt - now) / 1000,
      );
    }
    next();
  };
}

export interface RateLimiters {
  postComment: RequestHandler;
  vote: RequestHandler;
  flag: RequestHandler;
  /** Login and register. */
  signIn: RequestHandler;
  /** Requests that send email: sign-in links and verification. */
  sendEmail: RequestHandler;
}

/** The ready-made limiters, configured from the environment; pass-through when RATE_LIMITS_ENABLED=false. */
export function createRateLimiters(config: Config): RateLimiters {
  const windowSeconds = config.RATE_LIMIT_WINDOW_SECONDS;
  const enabled = config.RATE_LIMITS_ENABLED;
  return {
    postComment: rateLimit(
      {
        bucket: 'comment-post',
        windowSeconds,
        perUser: config.RATE_LIMIT_COMMENTS_PER_USER,
        perIp: config.RATE_LIMIT_COMMENTS_PER_IP,
      },
      enabled,
    ),
    vote: rateLimit(
      { bucket: 'vote', windowSeconds, perUser: config.RATE_LIMIT_VOTES_PER_USER, perIp: config.RATE_LIMIT_VOTES_PER_IP },
      enabled,
    ),
    flag: rateLimit(
      { bucket: 'flag', windowSeconds, perUser: config.RATE_LIMIT_FLAGS_PER_USER, perIp: config.RATE_LIMIT_FLAGS_PER_IP },
      enabled,
    ),
    signIn: rateLimit(
      {
        bucket: 'sign-in',
        windowSeconds,
        perUser: config.RATE_LIMIT_SIGNIN_PER_IP,
        perIp: config.RATE_LIMIT_SIGNIN_PER_IP,
      },
      enabled,
    ),
    sendEmail: rateLimit(
      {
        bucket: 'send-email',
        windowSeconds,
        perUser: config.RATE_LIMIT_EMAIL_PER_IP,
        perIp: config.RATE_LIMIT_EMAIL_PER_IP,
      },
      enabled,
    ),
  };
}
