import { Types, trusted } from 'mongoose';
import { UserModel } from '../accounts/user.model';
import type { Change, ChangeMeta } from '../changes/feed';
import type { CommentStatus } from '../comments/comment.model';
import { readComment } from '../comments/store';

/** What the reply and queue mails need of a comment. */
interface ReplyFields {
  _id: Types.ObjectId;
  parentId: Types.ObjectId | null;
  siteId: Types.ObjectId;
  articleId: string;
  author: { id: Types.ObjectId | null };
  status: CommentStatus;
}
import { isDuplicateKey } from '../db/errors';
import { publicEvent } from '../live/events';
import { NotificationModel, type NotificationKind } from './notification.model';

async function enqueue(kind: NotificationKind, recipientId: Types.ObjectId, comment: { _id: Types.ObjectId; siteId: Types.ObjectId; articleId: string }): Promise<void> {
  try {
    await NotificationModel.create({
      _id: `${kind}:${String(comment._id)}:${String(recipientId)}`,
      kind,
      recipientId,
      commentId: comment._id,
      siteId: comment.siteId,
      articleId: comment.articleId,
      createdAt: new Date(),
    });
  } catch (err) {
    // Already queued: another instance (or an earlier approval) heard the same change.
    if (!isDuplicateKey(err)) throw err;
  }
}

/**
 * Turns comment changes into queued mails. A reply is queued for the parent's author only once the
 * reply is public (approved), and only when that author asked for replies (on that comment, or for all
 * their comments) and has a confirmed address. A comment entering the queue is queued for the site's
 * moderators (and admins) who asked for queue mail.
 */
export async function queueNotifications(change: Change, meta?: ChangeMeta): Promise<void> {
  if (!change.commentId) return;
  const event = publicEvent(change);
  // A comment written in this process comes with the change: a new root comment answers no one, and a
  // reply need not be read again.
  const written = meta?.detail?.comment && String(meta.detail.comment._id) === change.commentId ? meta.detail.comment : undefined;
  if (event?.type === 'created' && (!written || written.parentId)) await queueReply(change.commentId, written);
  const enteredQueue = change.status === 'pending' && change.previousStatus !== 'pending' && (change.type === 'comment.created' || change.type === 'comment.held' || change.type === 'comment.edited' || change.type === 'comment.flagged');
  if (enteredQueue) await queueForModerators(change.commentId, change.siteId, written);
}

async function queueReply(commentId: string, written?: ReplyFields): Promise<void> {
  const reply = written ?? (await readComment<ReplyFields>(commentId, { parentId: 1, siteId: 1, articleId: 1, 'author.id': 1, status: 1 }));
  if (!reply?.parentId || reply.status !== 'approved') return;
  const parent = await readComment<{ author: { id: Types.ObjectId | null }; notifyReplies?: boolean | null }>(reply.parentId, {
    'author.id': 1,
    notifyReplies: 1,
  });
  const recipientId = parent?.author?.id;
  if (!recipientId || (reply.author.id && String(reply.author.id) === String(recipientId))) return;
  const recipient = await UserModel.findById(recipientId, { notifyReplies: 1, emailVerified: 1, email: 1, deletedAt: 1 }).lean();
  if (!recipient?.email || !recipient.emailVerified || recipient.deletedAt) return;
  if (!parent.notifyReplies && !recipient.notifyReplies) return;
  await enqueue('reply', recipientId, reply);
}

async function queueForModerators(commentId: string, siteId: string, written?: Omit<ReplyFields, 'parentId' | 'status'>): Promise<void> {
  if (!Types.ObjectId.isValid(siteId)) return;
  const comment = written ?? (await readComment<Omit<ReplyFields, 'parentId' | 'status'>>(commentId, { siteId: 1, articleId: 1, 'author.id': 1 }));
  if (!comment) return;
  // Two plain queries rather than one $or, which the sanitized query filter would not pass through.
  const [admins, siteModerators] = await Promise.all([
    UserModel.find({ notifyQueue: true, emailVerified: true, role: 'admin' }, { _id: 1 }).limit(200).lean(),
    UserModel.find({ notifyQueue: true, emailVerified: true, role: 'moderator', moderatedSiteIds: new Types.ObjectId(siteId) }, { _id: 1 })
      .limit(200)
      .lean(),
  ]);
  const moderators = [...admins, ...siteModerators];
  for (const moderator of moderators) {
    if (comment.author.id && String(comment.author.id) === String(moderator._id)) continue;
    await enqueue('queue', moderator._id, comment);
  }
}

/** Unsent items, oldest first, for the digest. */
export function unsentNotifications(limit: number) {
  return NotificationModel.find({ sentAt: null }).sort({ createdAt: 1 }).limit(limit).lean();
}

export async function markSent(ids: string[], at: Date): Promise<void> {
  await NotificationModel.updateMany({ _id: trusted({ $in: ids }) }, { $set: { sentAt: at } });
}
