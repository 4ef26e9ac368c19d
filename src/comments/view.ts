import type { Types } from 'mongoose';
import type { CommentStatus, ReasonCode } from './comment.model';
import type { CommentJson } from './schemas';

/** A comment as read from the database (lean). */
export interface CommentRecord {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  articleId: string;
  parentId: Types.ObjectId | null;
  rootId: Types.ObjectId | null;
  ancestors: Types.ObjectId[];
  depth: number;
  author: {
    id: Types.ObjectId | null;
    displayName: string;
    guestEmail?: string | null;
    guestWebsite?: string | null;
    accountDeleted?: boolean | null;
  };
  body: string;
  html: string;
  status: CommentStatus;
  reasons?: { code: ReasonCode; detail?: string | null; matches?: { start: number; end: number }[] | null }[];
  score: number;
  upvotes?: number;
  downvotes?: number;
  revision?: number;
  editedAt: Date | null;
  deletedAt?: Date | null;
  /** Set while a moderator features the comment (an editors' pick). */
  featuredAt?: Date | null;
  createdAt: Date;
}

/** The public shape of a comment, declared once with the API's schemas. */
export type { CommentJson } from './schemas';

export const DELETED_AUTHOR_NAME = '[deleted]';
/** Tombstones of an account its owner deleted. */
export const DELETED_ACCOUNT_AUTHOR_NAME = 'deleted account';

function authorJson(author: CommentRecord['author']): CommentJson['author'] {
  if (author.id) return { id: String(author.id), displayName: author.displayName, guest: false };
  return { id: null, displayName: author.displayName, guest: true, ...(author.guestWebsite ? { website: author.guestWebsite } : {}) };
}

export function toCommentJson(comment: CommentRecord, replies: CommentJson[] = []): CommentJson {
  const deleted = comment.status === 'deleted';
  return {
    id: String(comment._id),
    siteId: String(comment.siteId),
    articleId: comment.articleId,
    parentId: comment.parentId ? String(comment.parentId) : null,
    depth: comment.depth,
    author: deleted
      ? { id: null, displayName: comment.author.accountDeleted ? DELETED_ACCOUNT_AUTHOR_NAME : DELETED_AUTHOR_NAME, guest: false }
      : authorJson(comment.author),
    body: deleted ? '' : comment.body,
    html: deleted ? '' : comment.html,
    status: comment.status,
    score: comment.score,
    createdAt: comment.createdAt.toISOString(),
    editedAt: comment.editedAt ? comment.editedAt.toISOString() : null,
    featured: !deleted && Boolean(comment.featuredAt),
    replies,
  };
}
