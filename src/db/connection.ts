import mongoose from 'mongoose';
import type { Logger } from '../logging/logger';

export class DatabaseTimeoutError extends Error {
  override name = 'DatabaseTimeoutError';
}

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
    autoIndex: true,
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
