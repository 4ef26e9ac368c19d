import { Schema, model, type InferSchemaType } from 'mongoose';

export const MODERATION_ACTIONS = [
  'created',
  'held',
  'auto-approved',
  'auto-rejected',
  'edited',
  'approved',
  'rejected',
  'flagged',
  'deleted',
  'banned',
  'unbanned',
  'featured',
  'unfeatured',
  'undone',
  /** Brought in by an import; `reason` is its status in the source, `note` says from what. */
  'imported',
] as const;
export type ModerationActionName = (typeof MODERATION_ACTIONS)[number];

/** The history of a comment or a user: who did what, why and when. Append-only. */
const moderationActionSchema = new Schema({
  siteId: { type: Schema.Types.ObjectId, default: null },
  commentId: { type: Schema.Types.ObjectId, default: null },
  targetUserId: { type: Schema.Types.ObjectId, default: null },
  action: { type: String, enum: MODERATION_ACTIONS, required: true },
  /** null when the machine decided. */
  actorId: { type: Schema.Types.ObjectId, default: null },
  reason: { type: String, default: null },
  note: { type: String, default: null },
  at: { type: Date, default: () => new Date() },
  /** A decision's record of the fields it changed, as they were before it: what an undo restores. */
  before: {
    type: new Schema(
      {
        status: { type: String, required: true },
        previousStatus: { type: String, default: null },
        flagged: { type: Boolean, default: false },
        flagsReviewed: { type: Number, default: 0 },
      },
      { _id: false },
    ),
    default: null,
  },
});
moderationActionSchema.index({ commentId: 1, at: 1 });
moderationActionSchema.index({ targetUserId: 1, at: 1 });

export type ModerationAction = InferSchemaType<typeof moderationActionSchema>;
export const ModerationActionModel = model('ModerationAction', moderationActionSchema);
