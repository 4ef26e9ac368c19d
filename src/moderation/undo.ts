import { Types } from 'mongoose';
import { transition } from '../comments/transition';
import { conflict } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';
import type { ModeratedComment } from './view';

/** How long a moderator may take back a decision. */
export const UNDO_WINDOW_MS = 10 * 60 * 1000;

/**
 * Takes back the caller's own last decision on a comment: it returns to the queue (`pending`), as
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
  const flagged = (seen.reasons ?? []).some((r) => r.code === 'flagged') && seen.previousStatus === 'pending';
  // The one transition: claim, conditional update, counts, audit entry, change published.
  const updated = await transition<ModeratedComment>(seen, {
    to: 'pending',
    set: { previousStatus: seen.status, flagged },
    audit: [{ action: 'undone', actorId: new Types.ObjectId(actorId), reason: last.action }],
    change: 'comment.held',
  });
  if (!updated) throw conflict('Someone else changed this comment first.');
  return updated;
}
