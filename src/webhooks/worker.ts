import type { Logger } from '../logging/logger';
import { subscribeChanges } from '../changes/feed';
import { webhookDeliveries } from '../metrics/registry';
import { claimWork, releaseClaims } from './claim.model';
import { sendDelivery } from './send';
import { enqueueDeliveries } from './service';
import { signWebhook } from './signature';
import { DeliveryModel, WebhookModel, type DeliveryRecord } from './webhook.model';
import { op } from '../db/atomic';

/** The Standard Webhooks retry schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

export interface WebhookWorkerOptions {
  logger: Logger;
  allowPrivateTargets: boolean;
  retryDelaysMs?: number[];
  pollIntervalMs?: number;
  timeoutMs?: number;
  /** How long a claimed attempt may take before another instance may try the delivery again. */
  attemptLeaseMs?: number;
}

export interface WebhookWorker {
  /** Sends every delivery that is due now (also runs on a timer and after each new event). */
  runDue(): Promise<void>;
  stop(): Promise<void>;
}

const BATCH = 20;

/**
 * Hears the change feed, stores a delivery per subscribed webhook, and sends due deliveries. The
 * request that caused a change never waits: the feed calls listeners after it, and sending happens
 * here. Deliveries live in the database, so a restart loses none; an instance sends an attempt only
 * after inserting its claim `webhook:<id>:<attempt>`, so two instances never send the same attempt.
 */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { logger } = options;
  const retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.attemptLeaseMs ?? Math.max(60_000, timeoutMs * 3);
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  async function attempt(delivery: DeliveryRecord): Promise<void> {
    const number = delivery.attempts + 1;
    if (!(await claimWork(`webhook:${delivery._id}:${number}`))) return;
    const started = new Date();
    await DeliveryModel.updateOne(
      { _id: delivery._id },
      { $set: { attempts: number, lastAttemptAt: started, nextAttemptAt: new Date(started.getTime() + leaseMs) } },
    );
    const hook = await WebhookModel.findById(delivery.webhookId, { url: 1, secret: 1 }).select('+secret').lean<{ url: string; secret: string }>();
    if (!hook) {
      await DeliveryModel.updateOne({ _id: delivery._id }, { $set: { status: 'failed', lastResponse: { status: null, body: '', error: 'webhook removed' } } });
      return;
    }
    const timestamp = Math.floor(started.getTime() / 1000);
    const result = await sendDelivery(
      hook.url,
      {
        'webhook-id': delivery._id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(hook.secret, delivery._id, timestamp, delivery.payload),
        'user-agent': 'Threadline-Webhooks/1',
      },
      delivery.payload,
      { timeoutMs, allowPrivateTargets: options.allowPrivateTargets },
    );
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const exhausted = number > retryDelays.length;
    const status = ok ? 'delivered' : exhausted ? 'failed' : 'pending';
    webhookDeliveries.inc({ outcome: ok ? 'delivered' : exhausted ? 'abandoned' : 'failed' });
    const nextAttemptAt = status === 'pending' ? new Date(Date.now() + retryDelays[number - 1]) : new Date();
    await DeliveryModel.updateOne({ _id: delivery._id }, { $set: { status, nextAttemptAt, lastResponse: result } });
    if (status !== 'pending') {
      await releaseClaims(Array.from({ length: number }, (_, i) => `webhook:${delivery._id}:${i + 1}`));
    }
    if (!ok) logger.info({ delivery: delivery._id, attempt: number, status: result.status, error: result.error }, 'webhook delivery failed');
  }

  async function drain(): Promise<void> {
    for (;;) {
      again = false;
      const due = await DeliveryModel.find({ status: 'pending', nextAttemptAt: op({ $lte: new Date() }) })
        .sort({ nextAttemptAt: 1 })
        .limit(BATCH)
        .lean<DeliveryRecord[]>();
      await Promise.all(
        due.map((delivery) =>
          attempt(delivery).catch((err: unknown) => logger.warn({ err, delivery: delivery._id }, 'webhook attempt could not run')),
        ),
      );
      if (stopped || (!again && due.length < BATCH)) return;
    }
  }

  function runDue(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((err: unknown) => logger.warn({ err }, 'webhook deliveries could not be read'))
      .finally(() => {
        running = null;
      });
    return running;
  }

  const unsubscribe = subscribeChanges(async (change) => {
    if ((await enqueueDeliveries(change)) > 0) void runDue();
  });
  const timer = setInterval(() => void runDue(), options.pollIntervalMs ?? 1000);
  timer.unref();

  return {
    runDue,
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
      await running;
    },
  };
}
