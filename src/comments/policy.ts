import { canModerateSite, type AuthUser } from '../accounts/authenticate';
import type { CommentRecord } from './view';

export function isAuthor(user: AuthUser, comment: Pick<CommentRecord, 'author'>): boolean {
  return comment.author.id !== null && String(comment.author.id) === user.id;
}

/** Only the author edits; moderators approve or reject instead of rewriting. */
export function canEditComment(user: AuthUser, comment: Pick<CommentRecord, 'author'>): boolean {
  return isAuthor(user, comment);
}

export function canDeleteComment(user: AuthUser, comment: Pick<CommentRecord, 'author' | 'siteId'>): boolean {
  return isAuthor(user, comment) || canModerateSite(user, String(comment.siteId));
}

/** Voting on one's own comment would let anyone lift their own score. */
export function canVoteOnComment(user: AuthUser, comment: Pick<CommentRecord, 'author'>): boolean {
  return !isAuthor(user, comment);
}
