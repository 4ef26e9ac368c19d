import { trusted, type Types } from 'mongoose';
import { UserModel } from '../accounts/user.model';
import { subscribeChanges } from '../changes/feed';
import { readCommentsById } from '../comments/store';
import type { Config } from '../config/config';
import { isDuplicateKey } from '../db/errors';
import { addSweepTarget, modelSweepTarget } from '../housekeeping/sweep';
import type { Logger } from '../logging/logger';
import { createMailer, type Mailer } from '../mail/mailer';
import { SiteModel } from '../sites/site.model';
import { DigestClaimModel, NotificationModel } from './notification.model';
import { markSent, queueNotifications, unsentNotifications } from './queue';
import { unsubscribeUrl, type UnsubscribeScope } from './unsubscribe';

/** Sent items and old batch claims are removed by the expiry sweep after a week. */
const KEEP_SENT_MS = 7 * 86_400_000;
addSweepTarget(
  modelSweepTarget('notifications', NotificationModel, (now) => ({ sentAt: { $lt: new Date(now.getTime() - KEEP_SENT_MS) } })),
);
addSweepTarget(modelSweepTarget('digestClaims', DigestClaimModel, (now) => ({ at: { $lt: new Date(now.getTime() - KEEP_SENT_MS) } })));

const MAX_ITEMS_PER_MAIL = 50;
const MAX_RECIPIENTS_PER_RUN = 200;

async function claimWindow(recipientId: string, windowStart: number): Promise<boolean> {
  try {
    await DigestClaimModel.create({ _id: `${recipientId}:${windowStart}`, at: new Date() });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

interface Item {
  _id: string;
  kind: string;
  commentId: Types.ObjectId;
  siteId: Types.ObjectId;
  articleId: string;
}

async function describe(items: Item[]): Promise<string[]> {
  const comments = await readCommentsById<{ _id: Types.ObjectId; body: string; author: { displayName: string } }>(
    items.map((i) => i.commentId),
    { body: 1, author: 1 },
  );
  const sites = await SiteModel.find({ _id: trusted({ $in: [...new Set(items.map((i) => String(i.siteId)))] }) }, { name: 1 }).lean();
  const siteName = new Map(sites.map((s) => [String(s._id), s.name]));
  const byId = new Map(comments.map((c) => [String(c._id), c]));
  return items.map((item) => {
    const comment = byId.get(String(item.commentId));
    const where = `${siteName.get(String(item.siteId)) ?? 'a site'}, article "${item.articleId}"`;
    const excerpt = (comment?.body ?? '').replace(/\s+/g, ' ').slice(0, 200);
    const who = comment?.author.displayName ?? 'Someone';
    return item.kind === 'reply' ? `- ${who} replied on ${where}:\n  "${excerpt}"` : `- New in the moderation queue on ${where}, by ${who}:\n  "${excerpt}"`;
  });
}

/**
 * Sends what is queued, at most one mail per recipient per NOTIFY_BATCH_SECONDS window: the first item
 * after a quiet spell goes out at the next run, later ones wait for the next window and travel together.
 * The window is claimed by inserting `<recipient>:<windowStart>`, so several instances never both mail.
 */
export async function sendNotificationDigests(config: Config, mailer: Mailer, logger: Logger, now = new Date()): Promise<number> {
  const windowMs = config.NOTIFY_BATCH_SECONDS * 1000;
  const windowStart = Math.floor(now.getTime() / windowMs) * windowMs;
  const pending = await unsentNotifications(2000);
  const byRecipient = new Map<string, Item[]>();
  for (const item of pending) {
    const key = String(item.recipientId);
    const list = byRecipient.get(key) ?? [];
    if (list.length < MAX_ITEMS_PER_MAIL) list.push(item);
    byRecipient.set(key, list);
  }
  let sent = 0;
  for (const [recipientId, items] of [...byRecipient].slice(0, MAX_RECIPIENTS_PER_RUN)) {
    if (!(await claimWindow(recipientId, windowStart))) continue;
    const user = await UserModel.findById(recipientId, { email: 1, displayName: 1, emailVerified: 1, notifyReplies: 1, notifyQueue: 1, deletedAt: 1 }).lean();
    const ids = items.map((i) => i._id);
    if (!user?.email || !user.emailVerified || user.deletedAt) {
      await markSent(ids, now);
      continue;
    }
    const replies = items.filter((i) => i.kind === 'reply');
    const queue = items.filter((i) => i.kind === 'queue' && user.notifyQueue);
    const wanted = [...replies, ...queue];
    if (wanted.length === 0) {
      await markSent(ids, now);
      continue;
    }
    const scope: UnsubscribeScope = replies.length > 0 ? 'replies' : 'queue';
    const unsubscribe = unsubscribeUrl(config.PUBLIC_URL, config.JWT_SECRET, recipientId, scope);
    const lines = await describe(wanted);
    const subject = replies.length > 0 ? `${replies.length} new repl${replies.length === 1 ? 'y' : 'ies'} to your comments` : `${queue.length} new item${queue.length === 1 ? '' : 's'} to moderate`;
    const ok = await mailer.send({
      to: user.email,
      subject,
      text: `Hello ${user.displayName},\n\n${lines.join('\n\n')}\n\nTo stop these mails, open: ${unsubscribe}\n`,
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    });
    await markSent(ids, now);
    if (ok) sent += 1;
    logger.info({ recipientId, items: wanted.length, delivered: ok }, 'notification mail sent');
  }
  return sent;
}

/**
 * Hears the change feed (queueing mails) and sends digests every NOTIFY_FLUSH_SECONDS. Started once per
 * instance by the service; returns the function that stops it.
 */
export function startNotifications(config: Config, logger: Logger): () => void {
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, production: config.NODE_ENV === 'production' }, logger);
  const unsubscribe = subscribeChanges((change, meta) => queueNotifications(change, meta));
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sendNotificationDigests(config, mailer, logger)
      .catch((err: unknown) => logger.warn({ err }, 'notification digest failed; the next run retries'))
      .finally(() => {
        running = false;
      });
  }, config.NOTIFY_FLUSH_SECONDS * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
