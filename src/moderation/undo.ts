import { Types } from 'mongoose';
import type { ChangeType } from '../changes/feed';
import type { CommentStatus } from '../comments/comment.model';
import { transition } from '../comments/transition';
import type { DecisionBefore } from './actions';
import { conflict } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';
import type { ModeratedComment } from './view';

const UNDO_CHANGE: Record<CommentStatus, ChangeType> = {
  pending: 'comment.held',
  approved: 'comment.approved',
  rejected: 'comment.rejected',
  deleted: 'comment.deleted',
};

/** How long a moderator may take back a decision. */
export const UNDO_WINDOW_MS = 10 * 60 * 1000;

/**
 * Takes back the caller's own last decision on a comment: every field the decision changed (status,
 * previousStatus, flagged, flagsReviewed) returns to what the decision recorded, so a held comment goes
 * back to its queue and a published comment taken down is published again, as
 * long as nothing changed since (`revision` is the one the decision produced) and within the window.
 * Claimed like every transition, so an undo racing another moderator's decision loses cleanly (409).
 */
export async function undoDecision(seen: ModeratedComment, actorId: string, revision: number): Promise<ModeratedComment> {
  const current = seen.revision ?? 0;
  if (current !== revision || (seen.status !== 'approved' && seen.status !== 'rejected')) {
    throw conflict('The comment changed since your decision; it can no longer be undone.');
  }
  const last = await ModerationActionModel.findOne({ commentId: seen._id }).sort({ at: -1, _id: -1 }).lean();
  const decided = last && (last.action === 'approved' || last.action === 'rejected') && String(last.actorId) === actorId;
  if (!decided || Date.now() - last.at.getTime() > UNDO_WINDOW_MS) {
    throw conflict('Only your own last decision, within 10 minutes, can be undone.');
  }
  // Every field the decision changed, as it was before (decisions recorded before that record: back to the queue).
  const before: DecisionBefore = (last.before as DecisionBefore | null | undefined) ?? {
    status: 'pending',
    previousStatus: seen.status,
    flagged: (seen.reasons ?? []).some((r) => r.code === 'flagged') && seen.previousStatus === 'pending',
    flagsReviewed: seen.flagsReviewed ?? 0,
  };
  // The one transition: claim, conditional update, counts, audit entry, change published.
  const updated = await transition<ModeratedComment>(seen, {
    to: before.status,
    set: { previousStatus: before.previousStatus, flagged: before.flagged, flagsReviewed: before.flagsReviewed },
    audit: [{ action: 'undone', actorId: new Types.ObjectId(actorId), reason: last.action }],
    change: UNDO_CHANGE[before.status],
  });
  if (!updated) throw conflict('Someone else changed this comment first.');
  return updated;
}
