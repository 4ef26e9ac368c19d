import path from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../config/config';
import type { Logger } from '../logging/logger';
import { connectDatabase, dropUnusableIndexes, serverIsFerretdb, syncIndexes } from './connection';
import { ensureJsonbIndexes } from './jsonbIndexes';
import { startLocalServer, type LocalDbPreference, type LocalServer } from './localServer';
import type { PostgresqlAccess } from './postgresql';

export interface OpenDatabaseOptions {
  uri?: string;
  dataDir: string;
  prefer: LocalDbPreference;
  timeoutMs: number;
  logger: Logger;
  dbName?: string;
}

export interface Database {
  /** Which server answers: the given URI, or the local server that was started. */
  kind: 'external' | LocalServer['kind'];
  /** What stores the data: external, mongod, ferretdb-sqlite or ferretdb-postgresql. */
  backend: string;
  uri: string;
  /** For FerretDB on PostgreSQL: SQL access to PostgreSQL (its schema is the database's name). */
  postgresql?: PostgresqlAccess;
  close(): Promise<void>;
}

/** The folder where built database binaries are cached, shared by every data directory. */
export function binaryCacheDir(): string {
  return path.resolve(process.env.THREADLINE_CACHE_DIR ?? path.join(__dirname, '..', '..', '.data', 'cache'));
}

/** The database the configuration names: MONGODB_URI, or the embedded server under DATA_DIR. */
export function openConfiguredDatabase(
  config: Pick<Config, 'MONGODB_URI' | 'DATA_DIR' | 'LOCAL_DB' | 'DB_TIMEOUT_MS'>,
  logger: Logger,
): Promise<Database> {
  return openDatabase({
    uri: config.MONGODB_URI,
    dataDir: config.DATA_DIR,
    prefer: config.LOCAL_DB,
    timeoutMs: config.DB_TIMEOUT_MS,
    logger,
  });
}

/** Connects to MONGODB_URI, or starts the embedded server under dataDir and connects to it. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { logger } = options;
  let local: LocalServer | null = null;
  let uri = options.uri;
  if (!uri) {
    local = await startLocalServer({
      dataDir: path.resolve(options.dataDir, 'db'),
      cacheDir: binaryCacheDir(),
      prefer: options.prefer,
      logger,
      dbName: options.dbName,
    });
    uri = local.uri;
  }
  try {
    await connectDatabase(uri, options.timeoutMs, logger);
    if (await serverIsFerretdb()) {
      // None of the indexes FerretDB would make for the declared ones; on the embedded PostgreSQL,
      // GIN indexes its pushed-down filters can use, for every declared index.
      await dropUnusableIndexes(logger);
      if (local?.postgresql) await ensureJsonbIndexes(local.postgresql, mongoose.connection.name, Object.values(mongoose.models), logger);
    } else {
      await syncIndexes();
    }
  } catch (err) {
    await local?.stop();
    throw err;
  }
  return {
    kind: local ? local.kind : 'external',
    backend: local ? local.backend : 'external',
    uri,
    postgresql: local?.postgresql,
    async close() {
      // A planned disconnect is not an outage; keep it out of the warnings.
      mongoose.connection.removeAllListeners('disconnected');
      await mongoose.disconnect();
      await local?.stop();
    },
  };
}
