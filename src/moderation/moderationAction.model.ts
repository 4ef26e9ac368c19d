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
});
moderationActionSchema.index({ commentId: 1, at: 1 });
moderationActionSchema.index({ targetUserId: 1, at: 1 });

export type ModerationAction = InferSchemaType<typeof moderationActionSchema>;
export const ModerationActionModel = model('ModerationAction', moderationActionSchema);
