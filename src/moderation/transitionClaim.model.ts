import { Schema, model } from 'mongoose';
import { isDuplicateKey } from '../db/errors';

/**
 * One document per status change of a comment, keyed `<commentId>:<revision it started from>`.
 * Inserting it is the lock: of two moderators acting on the same revision only one insert succeeds.
 * A conditional findOneAndUpdate alone is not enough on every MongoDB-wire server (FerretDB
 * evaluates the condition and writes in separate steps), but a duplicate _id is refused everywhere.
 */
const transitionClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
// The expiry sweep removes claims of long-settled transitions by their age.
transitionClaimSchema.index({ at: 1 });

export const TransitionClaimModel = model('ModerationTransitionClaim', transitionClaimSchema);


/** True when this caller now owns the change from `revision`; false when someone else got there first. */
export async function claimTransition(commentId: string, revision: number): Promise<boolean> {
  try {
    await TransitionClaimModel.create({ _id: `${commentId}:${revision}` });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
