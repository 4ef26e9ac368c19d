import { hitCounter } from '../http/rateLimit';
import { RateLimitCounterModel } from '../http/rateLimit.model';

/**
 * Brakes for sign-in failures and sign-in mails, counted in the shared rate-limit collection so that
 * every instance of the service sees the same count. Each counted event claims its own slot document,
 * which keeps the count exact even where concurrent `$inc` updates are lost.
 */
export interface ThrottleRule {
  bucket: string;
  max: number;
  windowSeconds: number;
}

function windowOf(rule: ThrottleRule, now: number): { windowStart: number; resetAt: number } {
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  return { windowStart, resetAt: windowStart + windowMs };
}

/** Seconds until the key may try again, or 0 when it is under its limit. Counts nothing. */
export async function throttleRetryAfter(key: string, rule: ThrottleRule, now = Date.now()): Promise<number> {
  const { windowStart, resetAt } = windowOf(rule, now);
  // The slot numbered `max` exists exactly when `max` events were counted in this window.
  const full = await RateLimitCounterModel.exists({ _id: `${rule.bucket}:${key}:${windowStart}:${rule.max}` });
  return full ? Math.max(1, Math.ceil((resetAt - now) / 1000)) : 0;
}

/** Counts one event for the key; returns its place in the window (more than `max` once the limit is reached). */
export async function countThrottleEvent(key: string, rule: ThrottleRule, now = Date.now()): Promise<number> {
  const hit = await hitCounter(rule.bucket, key, rule.windowSeconds, rule.max, now);
  return hit.count;
}
