import { Schema, model, trusted } from 'mongoose';
import { isDuplicateKey } from '../db/errors';

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
  try {
    await WorkClaimModel.create({ _id: key });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Forgets claims that are no longer needed (their work is finished). */
export async function releaseClaims(keys: string[]): Promise<void> {
  if (keys.length > 0) await WorkClaimModel.deleteMany({ _id: trusted({ $in: keys }) });
}
