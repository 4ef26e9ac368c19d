import { Schema, model, trusted } from 'mongoose';

/**
 * A fixed-window counter per key (`login-account:<email>`, `login-ip:<ip>`, ...), kept in the database
 * so that every instance of the service sees the same count.
 */
const throttleSchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    windowStart: { type: Date, required: true },
  },
  { versionKey: false },
);
export const ThrottleModel = model('Throttle', throttleSchema);

export interface ThrottleRule {
  max: number;
  windowSeconds: number;
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** Seconds until the key may try again, or 0 when it is under its limit. */
export async function throttleRetryAfter(key: string, rule: ThrottleRule, now = new Date()): Promise<number> {
  const entry = await ThrottleModel.findById(key).lean();
  if (!entry || entry.count < rule.max) return 0;
  const endsAt = entry.windowStart.getTime() + rule.windowSeconds * 1000;
  return endsAt > now.getTime() ? Math.ceil((endsAt - now.getTime()) / 1000) : 0;
}

/** Counts one event for the key and returns the count in the current window. */
export async function countThrottleEvent(key: string, rule: ThrottleRule, now = new Date()): Promise<number> {
  const windowOpenedAfter = new Date(now.getTime() - rule.windowSeconds * 1000);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const counted = await ThrottleModel.findOneAndUpdate(
      { _id: key, windowStart: trusted({ $gt: windowOpenedAfter }) },
      { $inc: { count: 1 } },
      { returnDocument: 'after' },
    ).lean();
    if (counted) return counted.count;
    try {
      // Starts a new window; when another instance started one meanwhile, the upsert collides and we count in that one.
      const opened = await ThrottleModel.findOneAndUpdate(
        { _id: key, windowStart: trusted({ $lte: windowOpenedAfter }) },
        { $set: { count: 1, windowStart: now } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      return opened?.count ?? 1;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return rule.max;
}

export async function clearThrottle(key: string): Promise<void> {
  await ThrottleModel.deleteOne({ _id: key });
}
