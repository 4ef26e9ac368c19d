import type { Server } from 'node:http';
import { createApp } from './app';
import { bootstrapAdmin } from './accounts/bootstrapAdmin';
import { backfillNameKeys } from './accounts/nameKeysBackfill';
import { ConfigError, loadConfig, type Config } from './config/config';
import { changeFeed, stopChangeFeed } from './changes/feed';
import { foldPendingCounters } from './db/atomic';
import { openConfiguredDatabase, type Database } from './db/database';
import { startSweeper } from './housekeeping/sweep';
import { backfillQueuePlaces } from './moderation/queueBackfill';
import { startNotifications } from './notifications/digest';
import { handlersInFlight, handlersSettled } from './http/inFlight';
import { createLogger, type Logger } from './logging/logger';
import { startWebhookWorker } from './webhooks/worker';
import { startImportResumer } from './imports/service';

export interface RunningService {
  server: Server;
  database: Database;
  /** Stops accepting, lets in-flight requests and their handlers finish (bounded), then closes the database. */
  shutdown(reason: string): Promise<void>;
}

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const database = await openConfiguredDatabase(config, logger);
  await bootstrapAdmin(config.BOOTSTRAP_ADMIN_EMAIL, config.BOOTSTRAP_ADMIN_PASSWORD, logger);

  // Comments and accounts from before the queue places and name keys get theirs, in the background (once per database).
  void backfillQueuePlaces(logger)
    .then(() => backfillNameKeys(logger))
    .catch((err: unknown) => logger.error({ err }, 'giving older comments and accounts their new fields failed'));
  const stopSweeper = startSweeper(logger, config.SWEEP_INTERVAL_SECONDS * 1000);
  const stopNotifications = startNotifications(config, logger);
  const app = createApp({ config, logger });
  const webhooks = startWebhookWorker({ logger, allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS });
  const imports = startImportResumer({ logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
    listening.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, database: database.backend, publicUrl: config.PUBLIC_URL }, 'Threadline is listening');

  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      const started = Date.now();
      logger.info({ reason, handlersInFlight: handlersInFlight() }, 'shutting down: no new connections, finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let forced: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        forced = setTimeout(() => {
          logger.warn({ handlersInFlight: handlersInFlight() }, 'shutdown timeout reached; closing remaining connections');
          server.closeAllConnections();
          resolve();
        }, config.SHUTDOWN_TIMEOUT_MS);
      });
      // A handler whose client hung up holds no socket but may still be writing: wait for it as well.
      await Promise.race([Promise.all([closed, handlersSettled()]), timedOut]);
      await closed;
      clearTimeout(forced);
      stopSweeper();
      stopNotifications();
      await webhooks.stop();
      await imports.stop();
      stopChangeFeed();
      await changeFeed.flushed();
      // Counts written as chained claims go into their documents now rather than a second later.
      await foldPendingCounters().catch((err: unknown) => logger.warn({ err }, 'could not fold counts at shutdown; the claims keep them'));
      await database.close();
      logger.info({ drainMs: Date.now() - started }, 'shutdown complete');
    })();
    return stopping;
  };
  return { server, database, shutdown };
}

/** Reads `.env` when present; variables already in the environment win. */
function loadDotEnv(): void {
  try {
    process.loadEnvFile();
  } catch {
    // no .env file: configuration comes from the environment alone
  }
}

async function main(): Promise<void> {
  loadDotEnv();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL });
  let service: RunningService;
  try {
    service = await startService(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'could not start');
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

if (require.main === module) {
  void main();
}
