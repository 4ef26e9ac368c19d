import { Types } from 'mongoose';
import { UserModel } from '../accounts/user.model';
import { publishChange } from '../changes/feed';
import { pendingChange, touchArticle } from '../comments/articleVersion';
import { CommentModel } from '../comments/comment.model';
import { conflict } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';
import { claimTransition } from './transitionClaim.model';
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
  if (!(await claimTransition(String(seen._id), current))) throw conflict('Someone else changed this comment first.');
  const flagged = (seen.reasons ?? []).some((r) => r.code === 'flagged') && seen.previousStatus === 'pending';
  const updated = await CommentModel.findOneAndUpdate(
    { _id: seen._id, revision: current, status: seen.status },
    { $set: { status: 'pending', previousStatus: seen.status, flagged, revision: current + 1 } },
    { returnDocument: 'after' },
  ).lean<ModeratedComment>();
  if (!updated) throw conflict('Someone else changed this comment first.');
  await touchArticle(updated.siteId, updated.articleId, pendingChange(updated.author.id, seen.status, 'pending'));
  if (seen.status === 'approved' && seen.author.id) {
    await UserModel.updateOne({ _id: seen.author.id }, { $inc: { approvedCommentCount: -1 } });
  }
  await ModerationActionModel.create({
    siteId: seen.siteId,
    commentId: seen._id,
    targetUserId: seen.author.id ?? null,
    action: 'undone',
    actorId: new Types.ObjectId(actorId),
    reason: last.action,
  });
  await publishChange({
    type: 'comment.held',
    siteId: String(updated.siteId),
    articleId: updated.articleId,
    commentId: String(updated._id),
    userId: updated.author.id ? String(updated.author.id) : undefined,
    status: 'pending',
    previousStatus: seen.status,
  });
  return updated;
}
