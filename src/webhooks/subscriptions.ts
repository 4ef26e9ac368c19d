/**
 * Which webhooks of a site want which events, kept in process: every change of every site is heard by
 * the webhook worker, and asking the database each time was one query per post. A site's list is read
 * once and kept until one of its webhooks is added or removed (here at once; on other instances when
 * the change feed brings `webhooks.changed`, within a second), and at most SUBSCRIPTION_MEMORY_MS in
 * case a notice was lost. A stale list on one instance loses nothing: every instance hears every change
 * and stores the same delivery ids, and a delivery for a removed webhook is marked failed, not sent.
 */
import type { Types } from 'mongoose';
import { publishChange, subscribeChanges } from '../changes/feed';
import { WebhookModel, type WebhookEvent } from './webhook.model';

export interface Subscription {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  events: WebhookEvent[];
}

const SUBSCRIPTION_MEMORY_MS = 30_000;
/** Sites with webhooks are few; this bounds the memory of sites without any. */
const MAX_SITES = 10_000;
const known = new Map<string, { subscriptions: Subscription[]; at: number }>();
/** Moves with every change of webhooks heard, so a read that raced one is not kept. */
let webhookChanges = 0;

subscribeChanges(
  (change) => {
    if (change.type !== 'webhooks.changed') return;
    webhookChanges += 1;
    known.delete(change.siteId);
  },
  { sync: true },
);

/** The site's webhooks that want `event`: from memory, or one read of the site's webhooks. */
export async function subscriptionsTo(siteId: string, event: WebhookEvent, now = Date.now()): Promise<Subscription[]> {
  let entry = known.get(siteId);
  if (!entry || now - entry.at >= SUBSCRIPTION_MEMORY_MS) {
    const changesBefore = webhookChanges;
    const subscriptions = await WebhookModel.find({ siteId }, { _id: 1, siteId: 1, events: 1 }).lean<Subscription[]>();
    entry = { subscriptions, at: now };
    if (webhookChanges === changesBefore) {
      known.delete(siteId);
      known.set(siteId, entry);
      if (known.size > MAX_SITES) known.delete(known.keys().next().value as string);
    }
  }
  return entry.subscriptions.filter((subscription) => subscription.events.includes(event));
}

/** After a webhook of the site was added or removed: forgotten here at once, on other instances within a second. */
export async function webhooksChanged(siteId: string): Promise<void> {
  await publishChange({ type: 'webhooks.changed', siteId });
}
