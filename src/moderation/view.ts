import type { CommentStatus, ReasonCode } from '../comments/comment.model';
import { toCommentJson, type CommentJson, type CommentRecord } from '../comments/view';
import type { FlagReason } from './flag.model';

/** A comment as the moderation features read it (lean, whole documents): the thread's record plus the queue's fields. */
export interface ModeratedComment extends CommentRecord {
  previousStatus?: CommentStatus | null;
  flagCount?: number | null;
  flagged?: boolean | null;
  flagsReviewed?: number | null;
}

export interface FlagSummary {
  reason: FlagReason;
  note: string | null;
  at: string;
}

/** The public `comment` shape plus what a moderator needs to decide. */
export interface ModeratedCommentJson extends Omit<CommentJson, 'replies'> {
  replies: never[];
  previousStatus: CommentStatus | null;
  reasons: { code: ReasonCode; detail?: string; matches?: { start: number; end: number }[] }[];
  flagged: boolean;
  flagCount: number;
  revision: number;
}

/** Moderators never see deleted comments in the queue, so the public serializer's tombstone rule changes nothing here. */
export function toModeratedCommentJson(comment: ModeratedComment): ModeratedCommentJson {
  return {
    ...toCommentJson(comment),
    replies: [],
    previousStatus: comment.previousStatus ?? null,
    reasons: (comment.reasons ?? []).map((r) => ({
      code: r.code,
      ...(r.detail ? { detail: r.detail } : {}),
      ...(r.matches && r.matches.length > 0 ? { matches: r.matches.map(({ start, end }) => ({ start, end })) } : {}),
    })),
    flagged: Boolean(comment.flagged),
    flagCount: comment.flagCount ?? 0,
    revision: comment.revision ?? 0,
  };
}
