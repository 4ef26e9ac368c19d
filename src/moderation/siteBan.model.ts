import { Schema, model, type InferSchemaType } from 'mongoose';

/** The key of a site ban: one per user per site, so banning twice updates the one ban. */
export const siteBanKey = (siteId: string, userId: string): string => `${siteId}:${userId}`;

/**
 * A user barred from posting, editing, voting and flagging on one site. A global ban lives on the
 * user (admins only); this one is a site moderator's tool and touches no other site.
 */
const siteBanSchema = new Schema(
  {
    _id: { type: String, required: true },
    siteId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, required: true },
    /** null: until lifted. */
    until: { type: Date, default: null },
    actorId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true },
);
siteBanSchema.index({ siteId: 1, _id: 1 });
siteBanSchema.index({ userId: 1 });

export type SiteBan = InferSchemaType<typeof siteBanSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const SiteBanModel = model('SiteBan', siteBanSchema);
