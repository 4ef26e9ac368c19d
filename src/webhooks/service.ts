import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import type { Change } from '../changes/feed';
import { readComment } from '../comments/store';
import { toCommentJson } from '../comments/view';
import { isDuplicateKey } from '../db/errors';
import { badRequest, notFound, unprocessable } from '../http/problem';
import { getSite } from '../sites/service';
import { refuseTarget } from './targets';
import { newWebhookSecret } from './signature';
import { subscriptionsTo, webhooksChanged } from './subscriptions';
import {
  DeliveryModel,
  WEBHOOK_EVENTS,
  WebhookModel,
  type DeliveryRecord,
  type WebhookEvent,
  type WebhookRecord,
} from './webhook.model';

/** A site keeps at most this many webhooks. */
export const MAX_WEBHOOKS_PER_SITE = 20;

export interface WebhookJson {
  id: string;
  siteId: string;
  url: string;
  events: WebhookEvent[];
  createdAt: string;
  /** Only in the answer to the POST that created it. */
  secret?: string;
}

export interface DeliveryJson {
  id: string;
  event: WebhookEvent;
  status: DeliveryRecord['status'];
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastResponse: DeliveryRecord['lastResponse'];
  createdAt: string;
}

function toWebhookJson(webhook: WebhookRecord, secret?: string): WebhookJson {
  return {
    id: String(webhook._id),
    siteId: String(webhook.siteId),
    url: webhook.url,
    events: webhook.events,
    createdAt: webhook.createdAt.toISOString(),
    ...(secret ? { secret } : {}),
  };
}

export async function createWebhook(
  siteId: string,
  input: { url: string; events: WebhookEvent[] },
  options: { createdBy: string; allowPrivateTargets: boolean },
): Promise<WebhookJson> {
  await getSite(siteId);
  const refused = await refuseTarget(input.url, options.allowPrivateTargets);
  if (refused) throw badRequest('The webhook URL is not allowed.', [{ path: 'url', message: refused }]);
  if ((await WebhookModel.countDocuments({ siteId })) >= MAX_WEBHOOKS_PER_SITE) {
    throw unprocessable(`A site can have at most ${MAX_WEBHOOKS_PER_SITE} webhooks.`, 'too-many-webhooks');
  }
  const secret = newWebhookSecret();
  const created = await WebhookModel.create({
    siteId,
    url: input.url,
    events: [...new Set(input.events)],
    secret,
    createdBy: options.createdBy,
  });
  await webhooksChanged(siteId);
  return toWebhookJson(created.toObject() as WebhookRecord, secret);
}

export async function listWebhooks(siteId: string): Promise<WebhookJson[]> {
  await getSite(siteId);
  const hooks = await WebhookModel.find({ siteId }).sort({ createdAt: 1 }).lean<WebhookRecord[]>();
  return hooks.map((hook) => toWebhookJson(hook));
}

async function findWebhook(siteId: string, webhookId: string): Promise<WebhookRecord> {
  const hook = Types.ObjectId.isValid(webhookId)
    ? await WebhookModel.findOne({ _id: webhookId, siteId }).lean<WebhookRecord>()
    : null;
  if (!hook) throw notFound('No webhook with this id on this site.');
  return hook;
}

/** Removes the webhook; its undelivered events are dropped, its delivery log stays readable until then. */
export async function deleteWebhook(siteId: string, webhookId: string): Promise<void> {
  const hook = await findWebhook(siteId, webhookId);
  await WebhookModel.deleteOne({ _id: hook._id });
  await webhooksChanged(siteId);
  await DeliveryModel.deleteMany({ webhookId: hook._id });
}

/** The newest deliveries of one webhook, with their last answer. */
export async function listDeliveries(siteId: string, webhookId: string, limit: number): Promise<DeliveryJson[]> {
  const hook = await findWebhook(siteId, webhookId);
  const rows = await DeliveryModel.find({ webhookId: hook._id }).sort({ createdAt: -1 }).limit(limit).lean<DeliveryRecord[]>();
  return rows.map((row) => ({
    id: row._id,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt.toISOString() : null,
    lastAttemptAt: row.lastAttemptAt ? row.lastAttemptAt.toISOString() : null,
    lastResponse: row.lastResponse,
    createdAt: row.createdAt.toISOString(),
  }));
}

const isWebhookEvent = (type: string): type is WebhookEvent => (WEBHOOK_EVENTS as readonly string[]).includes(type);

/** The Standard Webhooks message id of one change for one webhook: the same on every instance. */
function messageId(webhookId: string, change: Change): string {
  const key = [webhookId, change.type, change.siteId, change.commentId ?? '', change.userId ?? '', change.status ?? '', change.at].join('|');
  return `msg_${createHash('sha256').update(key).digest('base64url').slice(0, 27)}`;
}

/** The event body: what changed, and for comment events the comment as readers see it (no email). */
async function eventPayload(change: Change & { type: WebhookEvent }): Promise<string> {
  let comment = null;
  if (change.commentId && Types.ObjectId.isValid(change.commentId)) {
    const record = await readComment(change.commentId);
    if (record) comment = toCommentJson(record);
  }
  const data = {
    siteId: change.siteId,
    ...(change.articleId ? { articleId: change.articleId } : {}),
    ...(change.commentId ? { commentId: change.commentId } : {}),
    ...(change.userId ? { userId: change.userId } : {}),
    ...(change.status ? { status: change.status } : {}),
    ...(change.previousStatus ? { previousStatus: change.previousStatus } : {}),
    ...(comment ? { comment } : {}),
  };
  return JSON.stringify({ type: change.type, timestamp: change.at, data });
}

/**
 * Turns one change into a stored delivery per subscribed webhook; returns how many are new. A ban
 * on every site (a change whose siteId is not a site id) goes to every webhook that wants user.banned.
 */
export async function enqueueDeliveries(change: Change): Promise<number> {
  if (!isWebhookEvent(change.type)) return 0;
  const event = change as Change & { type: WebhookEvent };
  let hooks: Pick<WebhookRecord, '_id' | 'siteId'>[];
  if (Types.ObjectId.isValid(change.siteId)) hooks = await subscriptionsTo(change.siteId, event.type);
  else if (change.type === 'user.banned') hooks = await WebhookModel.find({ events: event.type }, { _id: 1, siteId: 1 }).lean<Pick<WebhookRecord, '_id' | 'siteId'>[]>();
  else return 0;
  if (hooks.length === 0) return 0;
  const payload = await eventPayload(event);
  let created = 0;
  for (const hook of hooks) {
    try {
      await DeliveryModel.create({
        _id: messageId(String(hook._id), change),
        webhookId: hook._id,
        siteId: hook.siteId,
        event: event.type,
        payload,
        nextAttemptAt: new Date(),
      });
      created += 1;
    } catch (err) {
      // Another instance heard the same change and stored it first.
      if (!isDuplicateKey(err)) throw err;
    }
  }
  return created;
}
