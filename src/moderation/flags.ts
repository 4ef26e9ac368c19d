import { isValidObjectId, Types } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { FLAG_WEIGHT_UNITS, assertVerifiedFor, flagWeightUnits } from '../accounts/policy';
import { pendingChange, touchArticle } from '../comments/articleVersion';
import { CommentModel } from '../comments/comment.model';
import { conflict, forbidden, notFound } from '../http/problem';
import { SiteModel, DEFAULT_SITE_SETTINGS } from '../sites/site.model';
import { assertNotBanned } from './bans';
import { FlagModel, flagKey, type FlagReason } from './flag.model';
import { ModerationActionModel } from './moderationAction.model';
import { claimTransition } from './transitionClaim.model';
import type { ModeratedComment } from './view';
import { isDuplicateKey } from '../db/errors';

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
  const comment = await CommentModel.findById(commentId).lean<ModeratedComment>();
  if (!comment || comment.status !== 'approved') throw notFound('No such comment.');
  await assertNotBanned(user, String(comment.siteId), 'flagging');

  const key = flagKey(commentId, user.id);
  let flag;
  try {
    flag = await FlagModel.create({
      _id: key,
      commentId: comment._id,
      siteId: comment.siteId,
      userId: new Types.ObjectId(user.id),
      reason: input.reason,
      note: input.note ?? null,
      weight: flagWeightUnits(user, String(comment.siteId)),
    });
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict('You have already flagged this comment.');
    throw err;
  }

  // Counted from the flags themselves: each is one unique insert, so the last of several readers
  // flagging at once sees them all, where an $inc could lose one on some servers.
  const flagCount = await FlagModel.countDocuments({ commentId: comment._id });
  const counted = await CommentModel.findOneAndUpdate(
    { _id: comment._id },
    { $max: { flagCount } },
    { returnDocument: 'after' },
  ).lean<ModeratedComment>();
  await ModerationActionModel.create({
    siteId: comment.siteId,
    commentId: comment._id,
    targetUserId: comment.author.id ?? null,
    action: 'flagged',
    actorId: new Types.ObjectId(user.id),
    reason: input.reason,
    note: input.note ?? null,
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
  const site = await SiteModel.findById(comment.siteId, { 'settings.flagThreshold': 1 }).lean();
  const threshold = site?.settings?.flagThreshold ?? DEFAULT_SITE_SETTINGS.flagThreshold;
  const count = comment.flagCount ?? 0;
  // Flags weigh by their author's standing (new accounts a third); those a moderator already answered do not count.
  const flags = await FlagModel.find({ commentId: comment._id }, { weight: 1 }).sort({ createdAt: 1, _id: 1 }).limit(10_000).lean();
  const units = flags.slice(comment.flagsReviewed ?? 0).reduce((sum, flag) => sum + (flag.weight ?? FLAG_WEIGHT_UNITS), 0);
  if (units < threshold * FLAG_WEIGHT_UNITS) return;
  const revision = comment.revision ?? 0;
  if (!(await claimTransition(String(comment._id), revision))) return;
  const reasons = (comment.reasons ?? []).filter((r) => r.code !== 'flagged');
  reasons.push({ code: 'flagged', detail: `${count} flags` });
  // Conditional on the revision: if a moderator or another flag moved it first, theirs stands.
  const held = await CommentModel.findOneAndUpdate(
    { _id: comment._id, status: 'approved', revision },
    { $set: { status: 'pending', previousStatus: 'approved', flagged: true, reasons, revision: revision + 1 } },
    { returnDocument: 'after' },
  ).lean();
  if (!held) return;
  await touchArticle(comment.siteId, comment.articleId, pendingChange(comment.author.id, 'approved', 'pending'));
  await ModerationActionModel.create({
    siteId: comment.siteId,
    commentId: comment._id,
    targetUserId: comment.author.id ?? null,
    action: 'held',
    actorId: null,
    reason: 'flagged',
  });
}
