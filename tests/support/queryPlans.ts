import mongoose from 'mongoose';
import { explainPushedDownFilter, type PushedDownValue } from '../../src/db/jsonbIndexes';
import { testDatabase } from './hooks';

/**
 * For a mocha `before`: skips the suite unless the test database is FerretDB on PostgreSQL, whose
 * query plans are the ones checked.
 */
export function onlyOnPostgresql(this: Mocha.Context): void {
  const database = testDatabase();
  if (database.backend !== 'ferretdb-postgresql' || !database.postgresql) {
    // eslint-disable-next-line no-console
    console.log(`    skipped: the query plans are PostgreSQL's; this run's backend is ${database.backend}`);
    this.skip();
  }
}

/** PostgreSQL's plan for the statement FerretDB sends for this top-level equality filter. */
export function explainFilter(collection: string, filter: Record<string, PushedDownValue>): Promise<string[]> {
  const { postgresql } = testDatabase();
  if (!postgresql) throw new Error('no PostgreSQL access');
  return explainPushedDownFilter(postgresql, mongoose.connection.name, collection, filter, { discourageSeqScan: true });
}
