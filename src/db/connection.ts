import mongoose from 'mongoose';
import type { Logger } from '../logging/logger';

export class DatabaseTimeoutError extends Error {
  override name = 'DatabaseTimeoutError';
}

/**
 * Connects without making the models' declared indexes: the caller does (`syncIndexes` on MongoDB;
 * none on FerretDB, whose own indexes no query can use: see `dropUnusableIndexes`).
 */
export async function connectDatabase(uri: string, timeoutMs: number, logger: Logger): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  mongoose.set('sanitizeFilter', true);
  const connection = mongoose.connection;
  connection.removeAllListeners('disconnected').removeAllListeners('reconnected');
  connection.on('disconnected', () => logger.warn('database disconnected'));
  connection.on('reconnected', () => logger.info('database reconnected'));
  // Without buffering, and with bounded selection and socket timeouts, a lost database makes
  // requests fail fast with 503 instead of hanging.
  await mongoose.connect(uri, {
    bufferCommands: false,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs * 4,
    heartbeatFrequencyMS: 2000,
    autoIndex: false,
    // Command events feed the database latency and error metrics (src/metrics/database.ts).
    monitorCommands: true,
  });
  logger.info({ database: connection.name }, 'connected to database');
  return mongoose;
}

/** Asks the server to answer a ping within the timeout. */
export async function pingDatabase(timeoutMs: number): Promise<void> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== mongoose.ConnectionStates.connected) {
    throw new DatabaseTimeoutError('not connected');
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.admin().command({ ping: 1 }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseTimeoutError('ping timed out')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates every declared index; run at start so that queries never scan for want of one. */
export async function syncIndexes(): Promise<void> {
  for (const model of Object.values(mongoose.models)) {
    await model.createIndexes();
  }
}

/** Whether the server is FerretDB (it names its version in buildInfo), not MongoDB. */
export async function serverIsFerretdb(): Promise<boolean> {
  const info = await mongoose.connection.db?.admin().command({ buildInfo: 1 });
  return typeof info?.ferretdbVersion === 'string';
}

/**
 * FerretDB: makes sure every model's collection exists (FerretDB's table, for the GIN indexes of
 * jsonbIndexes.ts) and drops the indexes FerretDB made for the declared ones. On PostgreSQL it makes
 * them as btree indexes on `(_jsonb->'field')`, which its pushed-down filters (`@>`) cannot use and
 * which it never uses for sorting (on SQLite none but `_id` is used either), so they only cost: every
 * insert updates each of them, and PostgreSQL weighs each of them while planning every query (measured
 * on the comments table: planning 1.6 -> 0.75 ms per query, an insert 2.1 -> 1.5 ms, without them).
 * `_id` keeps its unique index.
 */
export async function dropUnusableIndexes(logger: Logger): Promise<void> {
  let dropped = 0;
  for (const model of Object.values(mongoose.models)) {
    await model.init();
    const names = (await model.collection.indexes()).map((index) => index.name).filter((name): name is string => !!name && name !== '_id_');
    for (const name of names) await model.collection.dropIndex(name);
    dropped += names.length;
  }
  if (dropped > 0) logger.info({ indexes: dropped }, 'dropped FerretDB indexes that no query can use (GIN indexes serve them)');
}
