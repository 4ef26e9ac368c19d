import { Schema, model } from 'mongoose';

/**
 * One fixed-window request counter, `_id` = `<bucket>:<key>:<windowStart ms>`, so that every instance
 * of the service counts into the same document with one atomic upsert. Old windows are deleted by
 * the limiter now and then (`expiresAt`), not by a TTL index, which not every MongoDB-wire server has.
 */
const rateLimitCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
rateLimitCounterSchema.index({ expiresAt: 1 });

export const RateLimitCounterModel = model('RateLimitCounter', rateLimitCounterSchema);

/**
 * A claim that one author posted one text, `_id` = `<author>:<hash of text>`, used by the
 * duplicate-post brake. `at` is when the text was last accepted.
 */
const recentPostSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
recentPostSchema.index({ expiresAt: 1 });

export const RecentPostModel = model('RecentPost', recentPostSchema);
