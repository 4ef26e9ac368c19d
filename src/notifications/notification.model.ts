import { Schema, model } from 'mongoose';

export const NOTIFICATION_KINDS = ['reply', 'queue'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * One thing to tell one reader by mail: a reply to their comment, or (moderators) a new item in their
 * queue. `_id` is `<kind>:<commentId>:<recipientId>`, so however often the change that caused it is
 * heard (every instance, repeated approvals), it is queued once. Mails go out in batches (digest.ts).
 */
const notificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: NOTIFICATION_KINDS, required: true },
    recipientId: { type: Schema.Types.ObjectId, required: true },
    commentId: { type: Schema.Types.ObjectId, required: true },
    siteId: { type: Schema.Types.ObjectId, required: true },
    articleId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
  },
  { versionKey: false },
);
notificationSchema.index({ sentAt: 1, createdAt: 1 });
notificationSchema.index({ recipientId: 1, sentAt: 1 });
export const NotificationModel = model('Notification', notificationSchema);

/** The right to send one recipient's mail for one batch window: `_id` `<recipientId>:<windowStart>`. */
const digestClaimSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
digestClaimSchema.index({ at: 1 });
export const DigestClaimModel = model('NotificationDigestClaim', digestClaimSchema);
