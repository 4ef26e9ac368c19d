import { Schema, model, type InferSchemaType } from 'mongoose';

/** One vote per user per comment: `_id` is `<commentId>:<userId>`, so the pair is unique by construction. */
const voteSchema = new Schema(
  {
    _id: { type: String, required: true },
    commentId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    value: { type: Number, enum: [-1, 0, 1], required: true },
    /** The revision `setExactly` keeps beside the value: one user's simultaneous votes apply one by one. */
    rev: { type: Number, default: 0 },
  },
  { timestamps: true },
);
voteSchema.index({ commentId: 1 });
// A reader's own votes: merged into the pages they read, exported, deleted with their account.
voteSchema.index({ userId: 1 });

export type Vote = InferSchemaType<typeof voteSchema>;
export const VoteModel = model('Vote', voteSchema);
export const voteKey = (commentId: string, userId: string): string => `${commentId}:${userId}`;
