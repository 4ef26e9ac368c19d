import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { backfillNameKeys } from '../../src/accounts/nameKeysBackfill';
import { openDatabase, type Database } from '../../src/db/database';
import type { LocalDbPreference } from '../../src/db/localServer';
import { createLogger } from '../../src/logging/logger';
import { backfillQueuePlaces } from '../../src/moderation/queueBackfill';
import { contractViolations } from './contract';

let database: Database | null = null;
let dataDir = '';

/**
 * One fresh database for the whole run: the MONGODB_URI server under a new database name when given,
 * otherwise the embedded server started on an empty temporary folder.
 */
/** The database the run uses (tests that inspect the backend itself, such as its query plans). */
export function testDatabase(): Database {
  if (!database) throw new Error('the test database is not open yet');
  return database;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(10 * 60 * 1000);
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-test-'));
    // As root, PostgreSQL runs as its own account, which must be able to enter the folder (its cluster folder stays 700).
    chmodSync(dataDir, 0o755);
    const logger = createLogger({ level: process.env.TEST_DB_LOG_LEVEL ?? 'warn', name: 'test-db' });
    const dbName = `threadline_test_${Date.now().toString(36)}`;
    const external = process.env.MONGODB_URI ? new URL(process.env.MONGODB_URI) : null;
    if (external) external.pathname = `/${dbName}`;
    database = await openDatabase({
      uri: external?.toString(),
      dataDir,
      prefer: (process.env.LOCAL_DB as LocalDbPreference | undefined) ?? 'auto',
      timeoutMs: 5000,
      logger,
      dbName,
    });
    // As every start does. On a fresh database they find nothing and write their done markers, so the
    // suite runs as a started service does (author queries by the indexed authorId, src/comments/authorFilter.ts).
    await backfillQueuePlaces(logger);
    await backfillNameKeys(logger);
    process.stdout.write(`  test database: ${database.backend}\n`);
  },
  /**
   * Fails the test whose requests got an answer the OpenAPI document does not describe. Set as the
   * test's error (not thrown), so that a failing check fails that test and the run goes on.
   */
  afterEach(this: Mocha.Context): void {
    if (contractViolations.length === 0) return;
    const found = contractViolations.splice(0);
    (this.test as Mocha.Hook).error(new Error(`answers that do not match the OpenAPI document:\n  ${found.join('\n  ')}`));
  },
  async afterAll(): Promise<void> {
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  },
};
