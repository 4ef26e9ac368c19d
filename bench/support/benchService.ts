import type { Express } from 'express';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config/config';
import { openDatabase, type Database } from '../../src/db/database';
import { createLogger, type Logger } from '../../src/logging/logger';
import { benchDataDir, benchLocalDb } from './dataDir';

/** The session key of the benchmarks' in-process app, for the tokens they sign. */
export const BENCH_JWT_SECRET = 'bench-only-secret-bench-only-secret-0123';

export interface BenchDatabase {
  dataDir: string;
  database: Database;
  /** The server that stores the data, named beside every figure. */
  backend: string;
  logger: Logger;
}

/** The database a benchmark measures: MONGODB_URI, or the embedded server the runner asked for, on a fresh DATA_DIR. */
export async function openBenchDatabase(name: string, timeoutMs = 10_000): Promise<BenchDatabase> {
  const dataDir = benchDataDir(name);
  const logger = createLogger({ level: 'warn', name: 'bench' });
  const database = await openDatabase({
    uri: process.env.MONGODB_URI,
    dataDir,
    prefer: benchLocalDb(),
    timeoutMs,
    logger,
    dbName: `threadline_${name}_${Date.now().toString(36)}`,
  });
  return { dataDir, database, backend: database.backend, logger };
}

/** The service's app as the benchmarks run it in process: test settings, rate limits off, silent logs. */
export function benchApp(dataDir: string): Express {
  return createApp({ config: benchConfig(dataDir), logger: createLogger({ level: 'silent', name: 'bench-app' }) });
}

/** The settings of the benchmarks' in-process app, with `overrides`. */
export function benchConfig(dataDir: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: BENCH_JWT_SECRET,
    PUBLIC_URL: 'http://threadline.bench',
    DATA_DIR: dataDir,
    RATE_LIMITS_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}
