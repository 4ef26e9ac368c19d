import { trusted, Types } from 'mongoose';
import { isBanActive, type AuthUser } from '../accounts/authenticate';
import { UserModel } from '../accounts/user.model';
import { toUserJson, type UserJson } from '../accounts/userJson';
import { commentsOfAuthor } from '../comments/authorFilter';
import { CommentModel, COMMENT_STATUSES, type CommentStatus } from '../comments/comment.model';
import { notFound } from '../http/problem';
import { siteBansOf } from '../moderation/bans';
import { FlagModel } from '../moderation/flag.model';
import { ModerationActionModel } from '../moderation/moderationAction.model';
import { toModeratedCommentJson, type ModeratedComment, type ModeratedCommentJson } from '../moderation/view';

const RECENT = 20;

export interface AuthorSummary {
  id: string;
  displayName: string;
  accountCreatedAt: string | null;
  counts: Record<CommentStatus, number>;
  bannedHere: boolean;
  bannedEverywhere: boolean;
}

export interface CommenterRecord {
  user: UserJson & { createdAt: string | null };
  summary: AuthorSummary;
  comments: ModeratedCommentJson[];
  flagsAgainst: { total: number; recent: { commentId: string; reason: string; note: string | null; at: string }[] };
  decisions: { action: string; commentId: string | null; actorId: string | null; reason: string | null; at: string }[];
  bans: { scope: 'site' | 'everywhere'; reason: string | null; until: string | null; active: boolean; createdAt: string | null }[];
}

/**
 * The counts behind a queue item's author line: their comments on this site by status (one count per
 * status by top-level equality on authorId, siteId and status), account age and bans. Bounded by that author's own comments.
 */
export async function authorSummary(siteId: string, userId: Types.ObjectId | string): Promise<AuthorSummary | null> {
  const user = await UserModel.findById(userId, { displayName: 1, createdAt: 1, banned: 1, bannedUntil: 1 }).lean<{
    _id: Types.ObjectId;
    displayName: string;
    createdAt?: Date;
    banned?: boolean;
    bannedUntil?: Date | null;
  }>();
  if (!user) return null;
  const site = new Types.ObjectId(siteId);
  const counted = await Promise.all(
    COMMENT_STATUSES.map((status) => CommentModel.countDocuments({ authorId: user._id, siteId: site, status })),
  );
  const bans = await siteBansOf(siteId, String(user._id));
  return {
    id: String(user._id),
    displayName: user.displayName,
    accountCreatedAt: user.createdAt ? user.createdAt.toISOString() : null,
    counts: Object.fromEntries(COMMENT_STATUSES.map((status, i) => [status, counted[i]])) as Record<CommentStatus, number>,
    bannedHere: bans.some((ban) => isBanActive({ banned: true, bannedUntil: ban.until })),
    bannedEverywhere: isBanActive(user),
  };
}

/** A commenter's record on one site, for that site's moderators: comments, flags, decisions, bans. */
export async function commenterRecord(viewer: AuthUser, siteId: string, userId: string): Promise<CommenterRecord> {
  if (!/^[a-f0-9]{24}$/i.test(userId)) throw notFound('No such user.');
  const user = await UserModel.findById(userId).lean();
  const summary = user ? await authorSummary(siteId, user._id) : null;
  if (!user || !summary) throw notFound('No such user.');
  const site = new Types.ObjectId(siteId);
  const theirs = { ...(await commentsOfAuthor(user._id)), siteId: site };
  const [comments, myCommentIds] = await Promise.all([
    CommentModel.find(theirs).sort({ createdAt: -1 }).limit(RECENT).lean<ModeratedComment[]>(),
    CommentModel.find({ ...theirs, flagCount: trusted({ $gt: 0 }) }, { _id: 1 }).limit(500).lean(),
  ]);
  const flagIds = myCommentIds.map((c) => c._id);
  const [flagTotal, flags, decisions, siteBans] = await Promise.all([
    flagIds.length ? FlagModel.countDocuments({ commentId: trusted({ $in: flagIds }) }) : 0,
    flagIds.length ? FlagModel.find({ commentId: trusted({ $in: flagIds }) }).sort({ createdAt: -1 }).limit(RECENT).lean() : [],
    ModerationActionModel.find({
      targetUserId: user._id,
      $or: [{ siteId: site }, { siteId: null, commentId: null }],
      actorId: trusted({ $ne: null }),
    })
      .sort({ at: -1 })
      .limit(RECENT)
      .lean(),
    siteBansOf(siteId, userId),
  ]);
  return {
    user: { ...toUserJson(user, viewer), createdAt: user.createdAt ? user.createdAt.toISOString() : null },
    summary,
    comments: comments.map(toModeratedCommentJson),
    flagsAgainst: {
      total: flagTotal,
      recent: flags.map((f) => ({ commentId: String(f.commentId), reason: f.reason, note: f.note ?? null, at: f.createdAt.toISOString() })),
    },
    decisions: decisions.map((a) => ({
      action: a.action,
      commentId: a.commentId ? String(a.commentId) : null,
      actorId: a.actorId ? String(a.actorId) : null,
      reason: a.reason ?? null,
      at: a.at.toISOString(),
    })),
    bans: [
      ...siteBans.map((ban) => ({
        scope: 'site' as const,
        reason: ban.reason,
        until: ban.until ? ban.until.toISOString() : null,
        active: isBanActive({ banned: true, bannedUntil: ban.until }),
        createdAt: ban.createdAt.toISOString(),
      })),
      ...(user.banned
        ? [{ scope: 'everywhere' as const, reason: user.banReason ?? null, until: user.bannedUntil ? user.bannedUntil.toISOString() : null, active: isBanActive(user), createdAt: null }]
        : []),
    ],
  };
}
