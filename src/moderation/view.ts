import type { Types } from 'mongoose';
import type { CommentStatus, ReasonCode } from '../comments/comment.model';
import type { FlagReason } from './flag.model';

/** A comment as the moderation features read it (lean). */
export interface ModeratedComment {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  articleId: string;
  parentId?: Types.ObjectId | null;
  depth?: number | null;
  author: { id?: Types.ObjectId | null; displayName: string };
  body?: string | null;
  html?: string | null;
  status: CommentStatus;
  previousStatus?: CommentStatus | null;
  reasons?: { code: ReasonCode; detail?: string | null }[] | null;
  score?: number | null;
  flagCount?: number | null;
  flagged?: boolean | null;
  flagsReviewed?: number | null;
  revision?: number | null;
  createdAt: Date;
  editedAt?: Date | null;
}

export interface FlagSummary {
  reason: FlagReason;
  note: string | null;
  at: string;
}

/** The public `comment` shape plus what a moderator needs to decide. */
export interface ModeratedCommentJson {
  id: string;
  siteId: string;
  articleId: string;
  parentId: string | null;
  depth: number;
  author: { id: string | null; displayName: string };
  body: string;
  html: string;
  status: CommentStatus;
  previousStatus: CommentStatus | null;
  score: number;
  createdAt: string;
  editedAt: string | null;
  replies: never[];
  reasons: { code: ReasonCode; detail?: string }[];
  flagged: boolean;
  flagCount: number;
  revision: number;
}

export function toModeratedCommentJson(comment: ModeratedComment): ModeratedCommentJson {
  return {
    id: String(comment._id),
    siteId: String(comment.siteId),
    articleId: comment.articleId,
    parentId: comment.parentId ? String(comment.parentId) : null,
    depth: comment.depth ?? 0,
    author: { id: comment.author.id ? String(comment.author.id) : null, displayName: comment.author.displayName },
    body: comment.body ?? '',
    html: comment.html ?? '',
    status: comment.status,
    previousStatus: comment.previousStatus ?? null,
    score: comment.score ?? 0,
    createdAt: comment.createdAt.toISOString(),
    editedAt: comment.editedAt ? comment.editedAt.toISOString() : null,
    replies: [],
    reasons: (comment.reasons ?? []).map((r) => (r.detail ? { code: r.code, detail: r.detail } : { code: r.code })),
    flagged: Boolean(comment.flagged),
    flagCount: comment.flagCount ?? 0,
    revision: comment.revision ?? 0,
  };
}
