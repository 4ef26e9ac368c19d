import { Schema, model, type InferSchemaType } from 'mongoose';

export const FLAG_REASONS = ['spam', 'abuse', 'off-topic', 'other'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

/** One flag per user per comment: `_id` is `<commentId>:<userId>`. */
const flagSchema = new Schema(
  {
    _id: { type: String, required: true },
    commentId: { type: Schema.Types.ObjectId, required: true },
    siteId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, enum: FLAG_REASONS, required: true },
    note: { type: String, default: null },
    /** What this flag counts towards the threshold, in thirds (src/accounts/policy.ts); older flags count fully. */
    weight: { type: Number, default: 3 },
  },
  { timestamps: true },
);
flagSchema.index({ commentId: 1, createdAt: 1 });

export type Flag = InferSchemaType<typeof flagSchema>;
export const FlagModel = model('Flag', flagSchema);
export const flagKey = (commentId: string, userId: string): string => `${commentId}:${userId}`;
