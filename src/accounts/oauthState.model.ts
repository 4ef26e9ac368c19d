import { Schema, model } from 'mongoose';

/**
 * One started Facebook sign-in. `_id` is the SHA-256 of the `state` sent to Facebook; the same hash
 * sits in an httpOnly cookie, which binds the flow to the browser that started it.
 */
const oauthStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    siteId: { type: String, required: true },
    returnTo: { type: String, required: true },
    returnOrigin: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
oauthStateSchema.index({ expiresAt: 1 });
export const OAuthStateModel = model('OAuthState', oauthStateSchema);
