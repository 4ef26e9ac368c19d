import type { Model } from 'mongoose';
import { OAuthStateModel } from '../accounts/oauthState.model';
import { OneTimeTokenModel, SecretUseModel } from '../accounts/oneTimeToken.model';
import { ClaimModel } from '../db/atomic';
import type { Logger } from '../logging/logger';

/**
 * Removes records that have done their job: used or expired one-time links, Facebook sign-in states,
 * and claim documents (claims settle races by a unique `_id`; once the race is long over they only take
 * space). No TTL index is used because not every MongoDB-wire server has them; instead every instance
 * sweeps now and then, in bounded batches, so that one run never holds the database for long.
 */

/** A claim outlives the longest-lived secret it guards (a 24-hour verification link) by a day. */
export const CLAIM_RETENTION_MS = 2 * 86_400_000;

export interface SweepTarget {
  name: string;
  /** Ids of up to `limit` records past their use. */
  findExpired(now: Date, limit: number): Promise<unknown[]>;
  /** Deletes these records; returns how many went. */
  remove(ids: unknown[]): Promise<number>;
}

/** A target for the records of one model that `expired` selects. */
export function modelSweepTarget(name: string, model: { collection: Model<unknown>['collection'] }, expired: (now: Date) => Record<string, unknown>): SweepTarget {
  return {
    name,
    async findExpired(now, limit) {
      // The driver's collection, so that one function serves every model; the filters hold only dates.
      const docs = await model.collection.find(expired(now), { projection: { _id: 1 } }).limit(limit).toArray();
      return docs.map((doc) => doc._id);
    },
    async remove(ids) {
      const result = await model.collection.deleteMany({ _id: { $in: ids as never[] } });
      return result.deletedCount ?? 0;
    },
  };
}

const olderThanClaimRetention = (now: Date): Record<string, unknown> => ({
  at: { $lt: new Date(now.getTime() - CLAIM_RETENTION_MS) },
});
const expiresBefore = (now: Date): Record<string, unknown> => ({ expiresAt: { $lt: now } });

const targets: SweepTarget[] = [
  modelSweepTarget('oneTimeTokens', OneTimeTokenModel, expiresBefore),
  modelSweepTarget('oauthStates', OAuthStateModel, expiresBefore),
  modelSweepTarget('secretUses', SecretUseModel, olderThanClaimRetention),
  // Claims that guard a moment are deleted by sweep bucket after minutes (src/db/atomic.ts); this catches the rest.
  modelSweepTarget('claims', ClaimModel, olderThanClaimRetention),
];

/** Other features add their expiring records here (one line each), at module load. */
export function addSweepTarget(target: SweepTarget): void {
  if (!targets.some((t) => t.name === target.name)) targets.push(target);
}

export interface SweepOptions {
  now?: Date;
  /** Records deleted per round trip. */
  batchSize?: number;
  /** Round trips per kind of record in one run; what is left waits for the next run. */
  maxBatches?: number;
}

/** One bounded run over every kind of expiring record; returns how many of each were removed. */
export async function sweepExpiredRecords(options: SweepOptions = {}): Promise<Record<string, number>> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 500;
  const maxBatches = options.maxBatches ?? 20;
  const removed: Record<string, number> = {};
  for (const target of targets) {
    removed[target.name] = 0;
    for (let batch = 0; batch < maxBatches; batch += 1) {
      const ids = await target.findExpired(now, batchSize);
      if (ids.length === 0) break;
      removed[target.name] += await target.remove(ids);
      if (ids.length < batchSize) break;
    }
  }
  return removed;
}

/** Sweeps every `intervalMs` (and once shortly after start); returns the function that stops it. */
export function startSweeper(logger: Logger, intervalMs: number): () => void {
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    sweepExpiredRecords()
      .then((removed) => {
        const total = Object.values(removed).reduce((a, b) => a + b, 0);
        if (total > 0) logger.info({ removed }, 'expired records removed');
      })
      .catch((err: unknown) => logger.warn({ err }, 'expiry sweep failed; the next run retries'))
      .finally(() => {
        running = false;
      });
  };
  const first = setTimeout(run, Math.min(intervalMs, 10_000));
  const timer = setInterval(run, intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
