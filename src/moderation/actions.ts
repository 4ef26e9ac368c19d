import { Types } from 'mongoose';
import { UserModel } from '../accounts/user.model';
import type { CommentStatus } from '../comments/comment.model';
import { readDecidable } from '../comments/store';
import { transition } from '../comments/transition';
import { conflict } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';
import type { ModeratedComment } from './view';
import { op } from '../db/atomic';

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

/** The fields a decision changes, as they were before it: recorded with the decision, restored by an undo. */
export interface DecisionBefore {
  status: CommentStatus;
  previousStatus: CommentStatus | null;
  flagged: boolean;
  flagsReviewed: number;
}

function decisionBefore(from: ModeratedComment): DecisionBefore {
  return { status: from.status, previousStatus: from.previousStatus ?? null, flagged: Boolean(from.flagged), flagsReviewed: from.flagsReviewed ?? 0 };
}

function transitionSet(decision: ModeratorDecision, from: ModeratedComment): Record<string, unknown> {
  return {
    previousStatus: from.status,
    flagged: false,
    // An approval answers the flags so far; only new readers' flags count towards the threshold.
    ...(decision === 'approve' ? { flagsReviewed: from.flagCount ?? 0 } : {}),
  };
}

/** The one status transition (claim, conditional update, counts, audit, change published). */
function transitionTo(
  decision: ModeratorDecision,
  seen: ModeratedComment,
  actorId: string,
  reason: string | null,
  note: string | null,
): Promise<ModeratedComment | null> {
  return transition<ModeratedComment>(seen, {
    to: TARGET[decision],
    set: transitionSet(decision, seen),
    audit: [{ action: ACTION_NAME[decision], actorId: new Types.ObjectId(actorId), reason, note, before: { ...decisionBefore(seen) } }],
    change: decision === 'approve' ? 'comment.approved' : 'comment.rejected',
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
  const updated = await transitionTo(decision, seen, actorId, input.reason ?? null, input.note ?? null);
  if (!updated) throw conflict('Someone else changed this comment first; reload it and decide again.');
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
    const before = await readDecidable<ModeratedComment>(siteId, id, ALLOWED_FROM[decision]);
    if (!before) continue;
    if (!(await transitionTo(decision, before, actorId, decision === 'reject' ? 'bulk' : null, null))) continue;
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
    ? await UserModel.find({ _id: op({ $in: actorIds.map((id) => new Types.ObjectId(id)) }) }, { displayName: 1 }).lean()
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
