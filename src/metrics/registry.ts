/**
 * Every Prometheus metric the service exposes, in one registry. Other features record through the
 * small functions below (or set the gauges they are handed), so none of them imports prom-client.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'threadline_process_' });

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FAST_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

export const httpRequests = new Counter({
  name: 'threadline_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'threadline_http_request_duration_seconds',
  help: 'Time from request to the end of the response, by method, route pattern and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const moderationDecisions = new Counter({
  name: 'threadline_moderation_decisions_total',
  help: 'Moderation pipeline decisions, by resulting status and reason code ("none" when no reason).',
  labelNames: ['status', 'reason'] as const,
  registers: [registry],
});

const moderationPhaseDuration = new Histogram({
  name: 'threadline_moderation_phase_duration_seconds',
  help: 'Time spent in each moderation phase; the word filter is bannedWords, profanity and suspectWords.',
  labelNames: ['phase'] as const,
  buckets: FAST_BUCKETS,
  registers: [registry],
});

export const dbCommandDuration = new Histogram({
  name: 'threadline_db_command_duration_seconds',
  help: 'Database command round trips, by command name and outcome.',
  labelNames: ['command', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const dbCommandErrors = new Counter({
  name: 'threadline_db_command_errors_total',
  help: 'Database commands that failed, by command name and server error code name.',
  labelNames: ['command', 'code'] as const,
  registers: [registry],
});

/** Open live-thread streams (SSE); the live feature increments and decrements it. */
export const openLiveStreams = new Gauge({
  name: 'threadline_live_streams_open',
  help: 'Live thread event streams currently open on this instance.',
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'threadline_webhook_delivery_attempts_total',
  help: 'Webhook delivery attempts, by outcome (delivered, failed, abandoned).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const importedComments = new Counter({
  name: 'threadline_imported_comments_total',
  help: 'Comments made visible by imports, by source format.',
  labelNames: ['format'] as const,
  registers: [registry],
});

/** Counts one pipeline decision under each of its reasons. */
export function recordModerationDecision(status: string, reasonCodes: readonly string[]): void {
  if (reasonCodes.length === 0) moderationDecisions.inc({ status, reason: 'none' });
  for (const reason of new Set(reasonCodes)) moderationDecisions.inc({ status, reason });
}

export function recordModerationPhase(phase: string, seconds: number): void {
  moderationPhaseDuration.observe({ phase }, seconds);
}

/** A gauge filled at scrape time by `collect`, for numbers that live in the database. */
export function scrapeGauge<L extends string>(options: {
  name: string;
  help: string;
  labelNames: readonly L[];
  collect: (gauge: Gauge<L>) => Promise<void>;
}): Gauge<L> {
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      await options.collect(this);
    },
  });
}
