import { isValidObjectId, Types } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { FLAG_WEIGHT_UNITS, assertVerifiedFor, flagWeightUnits } from '../accounts/policy';
import { publishChange } from '../changes/feed';
import { raiseFlagCount, readComment } from '../comments/store';
import { transition } from '../comments/transition';
import { insertOnce } from '../db/atomic';
import { conflict, forbidden, notFound } from '../http/problem';
import { getSiteCached, siteSettings } from '../sites/service';
import { assertNotBanned } from './bans';
import { FlagModel, flagKey, type FlagReason } from './flag.model';
import { ModerationActionModel } from './moderationAction.model';
import type { ModeratedComment } from './view';

export interface FlagJson {
  id: string;
  commentId: string;
  reason: FlagReason;
  note: string | null;
  createdAt: string;
}


/**
 * A reader flags a published comment, once. When the flags reach the site's threshold the comment
 * goes back to the queue: it becomes `pending` (hidden from readers) with `previousStatus: 'approved'`,
 * `flagged: true` and a `flagged` reason, until a moderator approves or rejects it.
 */
export async function flagComment(
  user: AuthUser,
  commentId: string,
  input: { reason: FlagReason; note?: string },
): Promise<FlagJson> {
  if (user.banned) throw forbidden('Banned accounts cannot flag comments.');
  assertVerifiedFor(user, 'flag');
  if (!isValidObjectId(commentId)) throw notFound('No such comment.');
  const comment = await readComment<ModeratedComment>(commentId);
  if (!comment || comment.status !== 'approved') throw notFound('No such comment.');
  await assertNotBanned(user, String(comment.siteId), 'flagging');

  const key = flagKey(commentId, user.id);
  const flag = await insertOnce(() =>
    FlagModel.create({
      _id: key,
      commentId: comment._id,
      siteId: comment.siteId,
      userId: new Types.ObjectId(user.id),
      reason: input.reason,
      note: input.note ?? null,
      weight: flagWeightUnits(user, String(comment.siteId)),
    }),
  );
  if (!flag) throw conflict('You have already flagged this comment.');

  // Counted from the flags themselves: each is one unique insert, so the last of several readers
  // flagging at once sees them all, where an $inc could lose one on some servers.
  const flagCount = await FlagModel.countDocuments({ commentId: comment._id });
  const counted = await raiseFlagCount<ModeratedComment>(comment._id, flagCount);
  await ModerationActionModel.create({
    siteId: comment.siteId,
    commentId: comment._id,
    targetUserId: comment.author.id ?? null,
    action: 'flagged',
    actorId: new Types.ObjectId(user.id),
    reason: input.reason,
    note: input.note ?? null,
  });
  await publishChange({
    type: 'comment.flagged',
    siteId: String(comment.siteId),
    articleId: comment.articleId,
    commentId: String(comment._id),
    ...(comment.author.id ? { userId: String(comment.author.id) } : {}),
    status: comment.status,
  });
  if (counted) await holdIfOverThreshold({ ...counted, flagCount: Math.max(flagCount, counted.flagCount ?? 0) });

  return {
    id: key,
    commentId,
    reason: flag.reason,
    note: flag.note ?? null,
    createdAt: flag.createdAt.toISOString(),
  };
}

async function holdIfOverThreshold(comment: ModeratedComment): Promise<void> {
  if (comment.status !== 'approved') return;
  const threshold = siteSettings(await getSiteCached(String(comment.siteId))).flagThreshold;
  const count = comment.flagCount ?? 0;
  // Flags weigh by their author's standing (new accounts a third); those a moderator already answered do not count.
  const flags = await FlagModel.find({ commentId: comment._id }, { weight: 1 }).sort({ createdAt: 1, _id: 1 }).limit(10_000).lean();
  const units = flags.slice(comment.flagsReviewed ?? 0).reduce((sum, flag) => sum + (flag.weight ?? FLAG_WEIGHT_UNITS), 0);
  if (units < threshold * FLAG_WEIGHT_UNITS) return;
  const reasons = (comment.reasons ?? []).filter((r) => r.code !== 'flagged');
  reasons.push({ code: 'flagged', detail: `${count} flags` });
  // The one transition: if a moderator or another flag moved it first, theirs stands.
  await transition(comment, {
    to: 'pending',
    set: { previousStatus: 'approved', flagged: true, reasons },
    audit: [{ action: 'held', actorId: null, reason: 'flagged' }],
    change: 'comment.held',
  });
}
