import { Schema, model } from 'mongoose';
import { insertOnce, op } from '../db/atomic';

/**
 * One document per unit of work that exactly one instance may do (a webhook delivery attempt, an
 * import run), keyed by what it claims. Inserting it is the lock: a duplicate `_id` is refused on
 * every MongoDB-wire server, where a conditional update alone is not atomic on FerretDB.
 */
const workClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

export const WorkClaimModel = model('WorkClaim', workClaimSchema);

/** True when this caller now owns `key`; false when another caller claimed it first. */
export async function claimWork(key: string): Promise<boolean> {
  return (await insertOnce(() => WorkClaimModel.create({ _id: key }))) !== null;
}

/** Forgets claims that are no longer needed (their work is finished). */
export async function releaseClaims(keys: string[]): Promise<void> {
  if (keys.length > 0) await WorkClaimModel.deleteMany({ _id: op({ $in: keys }) });
}
