import { Schema, model, type InferSchemaType } from 'mongoose';

import { FLAG_REASONS } from '../shared/limits';

export { FLAG_REASONS, type FlagReason } from '../shared/limits';

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
