import type { Change } from '../changes/feed';

/** What a live thread announces: a comment that readers can now see, see changed, or no longer see. */
export const LIVE_EVENT_TYPES = ['created', 'edited', 'deleted'] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

export interface LiveEvent {
  id: string;
  type: LiveEventType;
}

const COMMENT_CHANGES = new Set(['comment.created', 'comment.edited', 'comment.approved', 'comment.rejected', 'comment.held', 'comment.flagged', 'comment.deleted']);

/**
 * The public side of a comment change, or null when readers cannot tell anything happened: a held
 * comment is not announced, its approval is a `created`; a published comment that is held again,
 * rejected or deleted is a `deleted`; a published comment's new text is an `edited`. Votes are not
 * announced (scores arrive with the next page read).
 */
export function publicEvent(change: Change): LiveEvent | null {
  if (!COMMENT_CHANGES.has(change.type) || !change.commentId || !change.articleId) return null;
  const isPublic = change.status === 'approved';
  const wasPublic = change.type === 'comment.created' ? false : (change.previousStatus ?? change.status) === 'approved';
  if (!wasPublic && isPublic) return { id: change.commentId, type: 'created' };
  if (wasPublic && !isPublic) return { id: change.commentId, type: 'deleted' };
  if (wasPublic && isPublic && change.type === 'comment.edited') return { id: change.commentId, type: 'edited' };
  return null;
}
