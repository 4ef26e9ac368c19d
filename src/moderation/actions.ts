import { trusted, Types } from 'mongoose';
import { UserModel } from '../accounts/user.model';
import { pendingChange, touchArticle } from '../comments/articleVersion';
import { CommentModel, type CommentStatus } from '../comments/comment.model';
import { conflict } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';
import { claimTransition } from './transitionClaim.model';
import type { ModeratedComment } from './view';

export type ModeratorDecision = 'approve' | 'reject';

/**
 * Where each decision may start from. Approving an approved comment, rejecting a rejected one, or
 * touching a deleted one is a conflict. A comment held by flags is `pending` (see flags.ts), so both
 * decisions apply to it; a live comment may still be taken down.
 */
const ALLOWED_FROM: Record<ModeratorDecision, CommentStatus[]> = {
  approve: ['pending', 'rejected'],
  reject: ['pending', 'approved'],
};
const TARGET: Record<ModeratorDecision, CommentStatus> = { approve: 'approved', reject: 'rejected' };
const ACTION_NAME = { approve: 'approved', reject: 'rejected' } as const;

/** True when the comment was published before (held by flags after being approved). */
function wasApproved(comment: Pick<ModeratedComment, 'status' | 'previousStatus'>): boolean {
  return comment.status === 'approved' || comment.previousStatus === 'approved';
}

function transitionUpdate(decision: ModeratorDecision, from: ModeratedComment) {
  return {
    $set: {
      status: TARGET[decision],
      previousStatus: from.status,
      flagged: false,
      revision: (from.revision ?? 0) + 1,
      // An approval answers the flags so far; only new readers' flags count towards the threshold.
      ...(decision === 'approve' ? { flagsReviewed: from.flagCount ?? 0 } : {}),
    },
  };
}

/** Claims the change from the revision seen, then writes it on that revision only. */
async function transition(decision: ModeratorDecision, seen: ModeratedComment): Promise<ModeratedComment | null> {
  const revision = seen.revision ?? 0;
  if (!(await claimTransition(String(seen._id), revision))) return null;
  const updated = await CommentModel.findOneAndUpdate(
    { _id: seen._id, revision, status: seen.status },
    transitionUpdate(decision, seen),
    { returnDocument: 'after' },
  ).lean<ModeratedComment>();
  if (updated) await touchArticle(updated.siteId, updated.articleId, pendingChange(updated.author.id, seen.status, TARGET[decision]));
  return updated;
}

async function afterTransition(
  decision: ModeratorDecision,
  before: ModeratedComment,
  actorId: string,
  reason: string | null,
  note: string | null,
): Promise<void> {
  if (decision === 'approve' && before.author.id && !wasApproved(before)) {
    await UserModel.updateOne({ _id: before.author.id }, { $inc: { approvedCommentCount: 1 } });
  }
  await ModerationActionModel.create({
    siteId: before.siteId,
    commentId: before._id,
    targetUserId: before.author.id ?? null,
    action: ACTION_NAME[decision],
    actorId: new Types.ObjectId(actorId),
    reason,
    note,
  });
}

/**
 * One moderator's decision on a comment they have read: the update is conditional on the revision
 * they saw, so of two moderators acting at once exactly one wins and the other gets 409.
 */
export async function decide(
  decision: ModeratorDecision,
  seen: ModeratedComment,
  actorId: string,
  input: { reason?: string; note?: string },
): Promise<ModeratedComment> {
  if (!ALLOWED_FROM[decision].includes(seen.status)) {
    throw conflict(`A ${seen.status} comment cannot be ${ACTION_NAME[decision]}.`);
  }
  const updated = await transition(decision, seen);
  if (!updated) throw conflict('Someone else changed this comment first; reload it and decide again.');
  await afterTransition(decision, seen, actorId, input.reason ?? null, input.note ?? null);
  return updated;
}

/** Each id on its own conditional update: only this site's comments that are still held or flagged. */
export async function decideMany(
  decision: ModeratorDecision,
  siteId: string,
  ids: readonly string[],
  actorId: string,
): Promise<number> {
  let updated = 0;
  for (const id of new Set(ids)) {
    const before = await CommentModel.findOne({
      _id: new Types.ObjectId(id),
      siteId: new Types.ObjectId(siteId),
      $or: [{ status: 'pending' }, { flagged: true, status: trusted({ $in: ALLOWED_FROM[decision] }) }],
    }).lean<ModeratedComment>();
    if (!before) continue;
    if (!(await transition(decision, before))) continue;
    await afterTransition(decision, before, actorId, decision === 'reject' ? 'bulk' : null, null);
    updated += 1;
  }
  return updated;
}

export interface HistoryEntry {
  action: string;
  actor: { id: string; displayName: string } | null;
  reason: string | null;
  note: string | null;
  at: string;
}

/** A comment's history, oldest first; the machine's actions have a null actor. */
export async function commentHistory(commentId: Types.ObjectId): Promise<HistoryEntry[]> {
  const actions = await ModerationActionModel.find({ commentId }).sort({ at: 1, _id: 1 }).lean();
  const actorIds = [...new Set(actions.filter((a) => a.actorId).map((a) => String(a.actorId)))];
  const actors = actorIds.length
    ? await UserModel.find({ _id: trusted({ $in: actorIds.map((id) => new Types.ObjectId(id)) }) }, { displayName: 1 }).lean()
    : [];
  const names = new Map(actors.map((u) => [String(u._id), u.displayName]));
  return actions.map((a) => ({
    action: a.action,
    actor: a.actorId ? { id: String(a.actorId), displayName: names.get(String(a.actorId)) ?? '[deleted]' } : null,
    reason: a.reason ?? null,
    note: a.note ?? null,
    at: a.at.toISOString(),
  }));
}
