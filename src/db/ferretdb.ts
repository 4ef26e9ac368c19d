import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logging/logger';
import { LOST_CLAIM_LINE } from './postgresql';

const run = promisify(execFile);

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';

export function ferretdbBinaryPath(cacheDir: string): string {
  return path.join(cacheDir, 'bin', `ferretdb-${FERRETDB_VERSION}`);
}

/**
 * Builds FerretDB from the Go module proxy once and caches the binary. The module's release
 * tarball lacks the version file its build embeds, so the source is copied and that file written.
 */
export async function ensureFerretdbBinary(cacheDir: string, logger: Logger): Promise<string> {
  const binary = ferretdbBinaryPath(cacheDir);
  if (existsSync(binary)) return binary;

  const started = Date.now();
  logger.info({ version: FERRETDB_VERSION }, 'building FerretDB from the Go module proxy (first run only; takes a minute or two)');
  const heartbeat = setInterval(() => {
    logger.info({ elapsedSeconds: Math.round((Date.now() - started) / 1000) }, 'still building FerretDB');
  }, 15000);
  try {
    const env = { ...process.env, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };
    const { stdout } = await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new Error('FerretDB must be built, but the "go" command is not installed');
      throw err;
    });
    const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (!moduleDir) throw new Error('go mod download did not report a module directory');

    const sourceDir = path.join(cacheDir, `ferretdb-src-${process.pid}`);
    rmSync(sourceDir, { recursive: true, force: true });
    cpSync(moduleDir, sourceDir, { recursive: true });
    await run('chmod', ['-R', 'u+w', sourceDir]);
    writeFileSync(path.join(sourceDir, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);

    mkdirSync(path.dirname(binary), { recursive: true });
    const partial = `${binary}.partial-${process.pid}`;
    await run('go', ['build', '-trimpath', '-o', partial, './cmd/ferretdb'], {
      cwd: sourceDir,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    renameSync(partial, binary);
    rmSync(sourceDir, { recursive: true, force: true });
    logger.info({ seconds: Math.round((Date.now() - started) / 1000), binary }, 'FerretDB built and cached');
    return binary;
  } finally {
    clearInterval(heartbeat);
  }
}

export interface ChildServer {
  port: number;
  /** The server's process id, so that fault tests can kill or pause it. */
  pid: number | undefined;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * A FerretDB left running by a crashed run on this state folder (found by the PID it recorded, and
 * only if that process still names this folder) is stopped before a new one starts.
 */
function stopLeftoverFerretdb(stateDir: string, logger: Logger): void {
  const pidFile = path.join(stateDir, 'ferretdb.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  unlinkSync(pidFile);
  if (!Number.isInteger(pid) || pid <= 0) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return; // gone
  }
  if (!cmdline.includes(`--state-dir=${stateDir}\0`)) return;
  logger.warn({ pid, stateDir }, 'stopping a FerretDB left running by a crashed run');
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i += 1) sleepSync(50);
}

/**
 * Starts FerretDB on SQLite files under dataDir, or on PostgreSQL when postgresqlUrl is given
 * (the benchmarks' backend: it pushes equality filters and sorts down to indexes).
 */
export function startFerretdb(
  binary: string,
  dataDir: string,
  port: number,
  logger: Logger,
  postgresqlUrl?: string,
): ChildServer {
  mkdirSync(dataDir, { recursive: true });
  const stateDir = path.resolve(dataDir);
  stopLeftoverFerretdb(stateDir, logger);
  const backend = postgresqlUrl
    ? ['--handler=postgresql', `--postgresql-url=${postgresqlUrl}`]
    : ['--handler=sqlite', `--sqlite-url=file:${path.resolve(dataDir)}/`];
  const child = spawn(
    binary,
    [
      ...backend,
      `--state-dir=${stateDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=warn',
      '--log-format=json',
    ],
    // Its own process group, so a terminal's Ctrl-C reaches only the service, which stops it in order.
    // GOGC=400 (unless set): its garbage collector ran often on a small heap; measured with 10 clients
    // posting, about 15 % less FerretDB CPU per post for about 20 MB more memory.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, GOGC: process.env.GOGC ?? '400' } },
  );
  // FerretDB logs every unsupported command at WARN (the driver's endSessions, for one), so only
  // its errors are raised to our warn level; the rest stays at debug.
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      if (line.includes('"level":"ERROR"') && !LOST_CLAIM_LINE.test(line)) logger.warn({ ferretdb: line.slice(0, 2000) }, 'FerretDB error');
      else logger.debug({ ferretdb: line.slice(0, 2000) }, 'FerretDB said');
    }
  };
  if (child.pid !== undefined) writeFileSync(path.join(stateDir, 'ferretdb.pid'), `${child.pid}\n`);
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      rmSync(path.join(stateDir, 'ferretdb.pid'), { force: true });
      resolve(code);
    }),
  );
  return {
    port,
    pid: child.pid,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
