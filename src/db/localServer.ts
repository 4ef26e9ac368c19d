import { createServer, Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logging/logger';
import { ensureFerretdbBinary, startFerretdb } from './ferretdb';
import {
  findPostgresqlServer,
  postgresqlAccessByUrl,
  startPostgresqlCluster,
  type PostgresqlAccess,
  type PostgresqlCluster,
} from './postgresql';

export type LocalServerKind = 'mongod' | 'ferretdb';
/**
 * LOCAL_DB: auto (mongod when one can be had, else the best FerretDB), mongod, ferretdb (on
 * PostgreSQL when its server programs are installed, else SQLite), ferretdb-postgresql, ferretdb-sqlite.
 */
export type LocalDbPreference = 'auto' | 'mongod' | 'ferretdb' | 'ferretdb-postgresql' | 'ferretdb-sqlite';
export const LOCAL_DB_PREFERENCES = ['auto', 'mongod', 'ferretdb', 'ferretdb-postgresql', 'ferretdb-sqlite'] as const;

/** Logged at every start on SQLite, so that nobody runs it unaware. */
export const SQLITE_COST =
  'FerretDB on SQLite: no index serves any query except by _id, so every other query reads and decodes the whole ' +
  'collection (seconds per request at a few thousand comments). Install PostgreSQL\'s server programs ' +
  '(Debian: apt-get install postgresql) to get the indexed default.';

/** A MongoDB-wire server that this process started and must stop. */
export interface LocalServer {
  kind: LocalServerKind;
  /** What stores the data, named beside every benchmark figure: mongod, ferretdb-sqlite or ferretdb-postgresql. */
  backend: string;
  uri: string;
  /** For FerretDB on PostgreSQL: SQL access to the PostgreSQL that stores the data (indexes, EXPLAIN). */
  postgresql?: PostgresqlAccess;
  stop(): Promise<void>;
}

export interface LocalServerOptions {
  /** Where the database files live; kept between runs. */
  dataDir: string;
  /** Where built binaries are cached. */
  cacheDir: string;
  prefer: LocalDbPreference;
  logger: Logger;
  dbName?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, exited: Promise<unknown>): Promise<void> {
  let died = false;
  void exited.then(() => {
    died = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (died) throw new Error('the database server exited during start-up');
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the database server did not listen on port ${port} within ${timeoutMs} ms`);
}

function systemMongod(): string | null {
  const configured = process.env.MONGOMS_SYSTEM_BINARY;
  if (configured) return configured;
  try {
    return execFileSync('which', ['mongod'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

async function startMongod(options: LocalServerOptions, allowDownload: boolean): Promise<LocalServer> {
  const binary = systemMongod();
  if (!binary && !allowDownload) throw new Error('no mongod binary on PATH');
  const { MongoMemoryServer } = await import('mongodb-memory-server-core');
  const dbPath = path.join(options.dataDir, 'mongod');
  mkdirSync(dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
    binary: binary ? { systemBinary: binary } : { downloadDir: path.join(options.cacheDir, 'mongodb-binaries') },
  });
  return {
    kind: 'mongod',
    backend: 'mongod',
    uri: server.getUri(options.dbName ?? 'threadline'),
    stop: async () => {
      await server.stop({ doCleanup: false, force: false });
    },
  };
}

async function startLocalFerretdb(options: LocalServerOptions): Promise<LocalServer> {
  const { logger, prefer } = options;
  const binary = await ensureFerretdbBinary(options.cacheDir, options.logger);
  let cluster: PostgresqlCluster | null = null;
  let postgresqlUrl = process.env.FERRETDB_POSTGRESQL_URL || undefined;
  let postgresql = postgresqlUrl ? postgresqlAccessByUrl(postgresqlUrl) : undefined;
  if (!postgresqlUrl && prefer !== 'ferretdb-sqlite') {
    const install = findPostgresqlServer();
    if (!install && prefer === 'ferretdb-postgresql') {
      throw new Error('LOCAL_DB=ferretdb-postgresql, but PostgreSQL\'s server programs (initdb, postgres, pg_ctl) are not installed');
    }
    if (install) {
      try {
        cluster = await startPostgresqlCluster({ dataDir: options.dataDir, install, logger });
        postgresqlUrl = cluster.url;
        postgresql = cluster;
      } catch (err) {
        if (prefer === 'ferretdb-postgresql') throw err;
        logger.warn({ reason: (err as Error).message }, 'could not start the private PostgreSQL cluster; falling back to SQLite');
      }
    }
  }
  if (!postgresqlUrl) logger.warn(SQLITE_COST);

  const port = await freePort();
  const child = startFerretdb(binary, path.join(options.dataDir, 'ferretdb'), port, options.logger, postgresqlUrl);
  // FerretDB first, then PostgreSQL under it.
  const stop = async (): Promise<void> => {
    await child.stop();
    await cluster?.stop();
  };
  try {
    await waitForPort(port, 30000, child.exited);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    kind: 'ferretdb',
    backend: postgresqlUrl ? 'ferretdb-postgresql' : 'ferretdb-sqlite',
    uri: `mongodb://127.0.0.1:${port}/${options.dbName ?? 'threadline'}`,
    postgresql,
    stop,
  };
}

const DOWNLOAD_RETRY_MS = 24 * 60 * 60 * 1000;

/**
 * A failed mongod download is remembered for a day, so that machines without access to MongoDB's
 * download site do not wait for it at every start.
 */
function downloadRecentlyFailed(marker: string): boolean {
  return existsSync(marker) && Date.now() - statSync(marker).mtimeMs < DOWNLOAD_RETRY_MS;
}

/**
 * Starts the embedded database: a real mongod where one can be had (on PATH, or downloaded by
 * mongodb-memory-server where the network allows), otherwise FerretDB built from source on a private
 * PostgreSQL cluster (SQLite when PostgreSQL's server programs are missing).
 */
export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const { logger, prefer } = options;
  if (prefer === 'auto' || prefer === 'mongod') {
    const marker = path.join(options.cacheDir, 'mongod-download-failed');
    const allowDownload = prefer === 'mongod' || !downloadRecentlyFailed(marker);
    try {
      const server = await startMongod(options, allowDownload);
      logger.info({ backend: 'mongod', dataDir: options.dataDir }, 'started local database');
      return server;
    } catch (err) {
      if (prefer === 'mongod') throw err;
      if (allowDownload && !systemMongod()) {
        mkdirSync(options.cacheDir, { recursive: true });
        writeFileSync(marker, (err as Error).message.slice(0, 500));
      }
      logger.info({ reason: (err as Error).message.split('\n')[0] }, 'no local mongod available; using FerretDB');
    }
  }
  const server = await startLocalFerretdb(options);
  logger.info({ backend: server.backend, dataDir: options.dataDir }, 'started local database');
  return server;
}
