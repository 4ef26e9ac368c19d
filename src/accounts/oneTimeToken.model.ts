import { Schema, model, type InferSchemaType } from 'mongoose';
import { insertOnce } from '../db/atomic';

export const ONE_TIME_TOKEN_PURPOSES = ['sign-in', 'verify-email', 'password-reset', 'change-email'] as const;
export type OneTimeTokenPurpose = (typeof ONE_TIME_TOKEN_PURPOSES)[number];

/**
 * An emailed sign-in or verification link. `_id` is the SHA-256 of the token in the link; the
 * token itself is never stored. `usedAt` is set by one atomic update, which makes links single-use.
 */
const oneTimeTokenSchema = new Schema(
  {
    _id: { type: String, required: true },
    purpose: { type: String, enum: ONE_TIME_TOKEN_PURPOSES, required: true },
    email: { type: String, required: true },
    /** Set for verification links; sign-in links may be for an address with no account yet. */
    userId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: true },
);

// Not a TTL index: the expiry sweep (src/housekeeping/sweep.ts) finds expired links by it.
oneTimeTokenSchema.index({ expiresAt: 1 });

export type OneTimeToken = InferSchemaType<typeof oneTimeTokenSchema>;
export const OneTimeTokenModel = model('OneTimeToken', oneTimeTokenSchema);

/**
 * The use of a single-use secret (`link:<hash>`, `oauth-state:<hash>`). Using one inserts this document:
 * `_id` uniqueness lets exactly one of several simultaneous uses win on every MongoDB-wire server,
 * which a conditional update alone does not guarantee on all of them.
 */
const secretUseSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
secretUseSchema.index({ at: 1 });
export const SecretUseModel = model('SecretUse', secretUseSchema);


/** True for the one caller that used the secret first; false for every later or concurrent one. */
export async function claimSecretUse(id: string, at = new Date()): Promise<boolean> {
  return (await insertOnce(() => SecretUseModel.create({ _id: id, at }))) !== null;
}
