import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logging/logger';

/**
 * A server log line about a duplicate key: a claim lost to another writer or an insert-or-skip, which is
 * how src/db/atomic.ts settles races, so expected rather than an error. FerretDB relays the same error and
 * may cut its line before the message, leaving the SQLSTATE.
 */
export const LOST_CLAIM_LINE = /duplicate key value violates unique constraint|SQLSTATE 23505/;

/** Where PostgreSQL's server programs (initdb, postgres, pg_ctl, psql) live. */
export interface PostgresqlInstall {
  binDir: string;
}

const SERVER_PROGRAMS = ['initdb', 'postgres', 'pg_ctl', 'psql'];

function hasServerPrograms(dir: string): boolean {
  return SERVER_PROGRAMS.every((name) => existsSync(path.join(dir, name)));
}

/**
 * Finds PostgreSQL's server programs: POSTGRESQL_BIN_DIR when set, else the newest Debian/Ubuntu
 * install under /usr/lib/postgresql/<version>/bin, else a directory on PATH holding initdb.
 */
export function findPostgresqlServer(): PostgresqlInstall | null {
  const configured = process.env.POSTGRESQL_BIN_DIR;
  if (configured) return hasServerPrograms(configured) ? { binDir: configured } : null;
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const binDir = path.join(debianRoot, version, 'bin');
      if (hasServerPrograms(binDir)) return { binDir };
    }
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && hasServerPrograms(dir)) return { binDir: dir };
  }
  return null;
}

const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** PostgreSQL refuses to run as root, so as root its programs run as the "postgres" account. */
function asPostgres(command: string, args: string[]): { command: string; args: string[] } {
  if (!runningAsRoot()) return { command, args };
  return { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] };
}

function postgresAccount(): { uid: number; gid: number; home: string } {
  const entry = spawnSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  const fields = entry.status === 0 ? entry.stdout.trim().split(':') : [];
  if (fields.length < 6) throw new Error('running as root, but there is no "postgres" account to run PostgreSQL as');
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
}

/** Whether the account PostgreSQL runs as can enter and write the folder (every parent must let it through). */
function reachableByPostgres(dir: string): boolean {
  if (!runningAsRoot()) return true;
  const check = asPostgres('test', ['-w', dir, '-a', '-x', dir]);
  return spawnSync(check.command, check.args).status === 0;
}

function makeOwnedFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runningAsRoot()) {
    const { uid, gid } = postgresAccount();
    chownSync(dir, uid, gid);
  }
}

export interface ClusterLocation {
  /** The cluster's data folder. */
  dir: string;
  /** Set when the cluster lives outside DATA_DIR because the postgres account cannot reach DATA_DIR. */
  elsewhere?: { reason: string; marker: string };
}

/**
 * Where the private cluster for dataDir lives: dataDir/postgresql, or, when PostgreSQL's account
 * cannot reach dataDir (as root, a parent folder with mode 700), a folder per dataDir in that
 * account's home (else the temporary folder), recorded in dataDir/postgresql-location.txt. An
 * existing cluster inside dataDir that has become unreachable is an error, never replaced by an
 * empty one.
 */
export function resolveClusterLocation(dataDir: string): ClusterLocation {
  const root = path.resolve(dataDir);
  const inside = path.join(root, 'postgresql');
  const marker = path.join(root, 'postgresql-location.txt');
  mkdirSync(root, { recursive: true });
  makeOwnedFolder(inside);
  if (reachableByPostgres(inside)) return { dir: inside };
  if (existsSync(path.join(inside, 'PG_VERSION'))) {
    throw new Error(
      `the PostgreSQL cluster in ${inside} holds data but the postgres account can no longer reach it; ` +
        'give that account search (x) permission on every parent folder',
    );
  }
  rmSync(inside, { recursive: true, force: true });
  const key = createHash('sha256').update(root).digest('hex').slice(0, 16);
  const { home } = postgresAccount();
  const candidates = [path.join(home, 'threadline', key), path.join(os.tmpdir(), `threadline-postgresql-${key}`)];
  for (const dir of candidates) {
    try {
      // The account's own folder first: made by root with mode 700 and left to root (as an earlier
      // version did), it would shut the account out of every cluster below it.
      if (dir.startsWith(home)) makeOwnedFolder(path.dirname(dir));
      makeOwnedFolder(dir);
    } catch {
      continue;
    }
    if (!reachableByPostgres(dir)) continue;
    writeFileSync(marker, `${dir}\n`);
    return {
      dir,
      elsewhere: {
        reason: `the postgres account cannot reach ${root} (a parent folder denies it)`,
        marker,
      },
    };
  }
  throw new Error(`the postgres account can reach neither ${root} nor any fallback folder`);
}

export interface PostgresqlAccess {
  /** Runs SQL through psql and returns its unaligned, tuples-only output. */
  query(sql: string): Promise<string>;
}

export interface PostgresqlCluster extends PostgresqlAccess {
  dir: string;
  /** A connection URL over the cluster's unix socket, for FerretDB. */
  url: string;
  /** The postmaster's process id. */
  pid: number | undefined;
  stop(): Promise<void>;
}

const SOCKET_PORT = 5432;
/** Settings on every start: no TCP at all, and plans made with each query's real parameters (see jsonbIndexes.ts). */
const SERVER_SETTINGS = ['listen_addresses=', 'plan_cache_mode=force_custom_plan', 'unix_socket_permissions=0700'];

function processIsPostgres(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return true; // no /proc: trust the lock file and let pg_ctl decide
  }
}

function runAsPostgres(bin: string, program: string, args: string[]): { status: number | null; output: string } {
  const run = asPostgres(path.join(bin, program), args);
  const result = spawnSync(run.command, run.args, { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

/**
 * A server left behind by a crashed run is stopped (by its data folder); a lock file whose process
 * is gone is removed, so that neither blocks this start.
 */
function clearPreviousServer(bin: string, dir: string, socketDir: string, logger: Logger): void {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processIsPostgres(pid)) {
    logger.warn({ pid, dir }, 'a PostgreSQL server from an earlier run still holds this cluster; stopping it');
    const stopped = runAsPostgres(bin, 'pg_ctl', ['-D', dir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    if (stopped.status !== 0) throw new Error(`could not stop the earlier PostgreSQL server: ${stopped.output}`);
    return;
  }
  logger.warn({ pid, dir }, 'removing a stale PostgreSQL lock file left by a crashed run');
  unlinkSync(pidFile);
  const socketLock = path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}.lock`);
  if (existsSync(socketLock)) unlinkSync(socketLock);
}

function psqlRunner(bin: string, connection: string[]): PostgresqlAccess['query'] {
  return (sql) =>
    new Promise((resolve, reject) => {
      execFile(
        path.join(bin, 'psql'),
        ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...connection, '-c', sql],
        { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`psql: ${stderr.trim() || err.message}`));
          else resolve(stdout);
        },
      );
    });
}

/** psql against a PostgreSQL URL (FERRETDB_POSTGRESQL_URL), when PostgreSQL's programs are installed here. */
export function postgresqlAccessByUrl(url: string): PostgresqlAccess | undefined {
  const install = findPostgresqlServer();
  return install ? { query: psqlRunner(install.binDir, ['-d', url]) } : undefined;
}

/**
 * Starts a private PostgreSQL cluster for dataDir: initdb on first use, the server on a unix socket
 * only (no TCP port), stopped with pg_ctl by its data folder. The data stays across restarts.
 */
export async function startPostgresqlCluster(options: {
  dataDir: string;
  install: PostgresqlInstall;
  logger: Logger;
}): Promise<PostgresqlCluster> {
  const { install, logger } = options;
  const bin = install.binDir;
  const location = resolveClusterLocation(options.dataDir);
  const dir = location.dir;
  if (location.elsewhere) {
    logger.warn(
      { cluster: dir, reason: location.elsewhere.reason, recordedIn: location.elsewhere.marker },
      'PostgreSQL data is kept outside DATA_DIR; give the postgres account search (x) permission on DATA_DIR and its parents to keep it inside',
    );
  }

  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    if (readdirSync(dir).length > 0) throw new Error(`${dir} is not empty and holds no PostgreSQL cluster; refusing to initialise it`);
    logger.info({ cluster: dir }, 'creating the private PostgreSQL cluster (first start only)');
    const init = runAsPostgres(bin, 'initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.output}`);
  }

  // A unix socket path is limited to about 100 bytes; a deep DATA_DIR gets a short private socket folder.
  let socketDir = dir;
  let ownSocketDir: string | null = null;
  if (path.join(dir, `.s.PGSQL.${SOCKET_PORT}`).length > 100) {
    ownSocketDir = mkdtempSync(path.join(os.tmpdir(), 'tl-pg-'));
    if (runningAsRoot()) {
      const { uid, gid } = postgresAccount();
      chownSync(ownSocketDir, uid, gid);
    }
    socketDir = ownSocketDir;
  }
  clearPreviousServer(bin, dir, socketDir, logger);

  const settings = SERVER_SETTINGS.flatMap((setting) => ['-c', setting]);
  const run = asPostgres(path.join(bin, 'postgres'), ['-D', dir, '-k', socketDir, '-p', String(SOCKET_PORT), ...settings]);
  // A process group of its own: Ctrl-C in a terminal reaches the service, which stops FerretDB and then
  // PostgreSQL in order, instead of PostgreSQL going down under in-flight requests.
  const server: ChildProcess = spawn(run.command, run.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      // pg_isready's early knocks ("starting up"), sessions ended by our own stop and a lost claim are not errors.
      const expected = /is starting up|terminating (connection|autovacuum process) due to administrator command/.test(line) || LOST_CLAIM_LINE.test(line);
      if (/\b(ERROR|FATAL|PANIC):/.test(line) && !expected) logger.warn({ postgresql: line.slice(0, 2000) }, 'PostgreSQL error');
      else logger.debug({ postgresql: line.slice(0, 2000) }, 'PostgreSQL said');
    }
  };
  server.stdout?.on('data', forward);
  server.stderr?.on('data', forward);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    server.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );

  const query = psqlRunner(bin, ['-h', socketDir, '-p', String(SOCKET_PORT), '-U', 'postgres', '-d', 'postgres']);
  const stopServer = async (): Promise<void> => {
    if (exitCode === undefined) {
      runAsPostgres(bin, 'pg_ctl', ['-D', dir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      const timer = setTimeout(() => server.kill('SIGKILL'), 65_000);
      await exited;
      clearTimeout(timer);
    }
    if (ownSocketDir) rmSync(ownSocketDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitCode !== undefined) {
      await stopServer();
      throw new Error(`PostgreSQL exited during start-up (code ${exitCode}); see its log lines above`);
    }
    const ready = spawnSync(path.join(bin, 'pg_isready'), ['-q', '-h', socketDir, '-p', String(SOCKET_PORT), '-U', 'postgres', '-d', 'postgres']);
    if (ready.status === 0) break;
    if (Date.now() > deadline) {
      await stopServer();
      throw new Error('PostgreSQL did not accept connections within 60 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    dir,
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(socketDir)}&port=${SOCKET_PORT}`,
    pid: server.pid,
    query,
    stop: stopServer,
  };
}
