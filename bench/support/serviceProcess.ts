/**
 * The real service (and other processes) as the benchmarks run them: each in its own process on a free
 * loopback port, its output kept for the error when it does not start. Shared by bench/scale.ts and
 * bench/posts.ts, with the posting load they both measure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { NAME_KEYS_BACKFILLED } from '../../src/accounts/nameKeysBackfill';
import { freePort } from '../../src/db/localServer';
import { QueueCounterModel } from '../../src/moderation/queuePlaces';

export const repositoryRoot = path.resolve(__dirname, '..', '..');

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface BenchProcess {
  url: string;
  child: ChildProcess;
  /** The last of what it wrote (its log lines), for the error when it fails. */
  output(): string;
  stop(): Promise<void>;
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not yet
    }
    await delay(200);
  }
  throw new Error(`the process on ${url} did not become healthy:\n${output().slice(-3000)}`);
}

/** Node with `args` from the repository's root, on a free loopback port; resolves once /healthz answers. */
export async function startProcess(args: string[], env: Record<string, string>): Promise<BenchProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, child, () => text);
  return {
    url,
    child,
    output: () => text,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/**
 * The service (src/server.ts) on the benchmark's database, rate limits off. Resolves once the start-up
 * backfills are done: they read every comment once (what an upgrade costs, once), and a steady-state
 * figure must not include them. Says how long they took when it was noticeable.
 */
export async function startService(databaseUri: string, jwtSecret: string): Promise<BenchProcess> {
  // BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile of the service there when it stops (for finding where a post's time goes).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const service = await startProcess([...profile, '-r', 'ts-node/register/transpile-only', 'src/server.ts'], {
    NODE_ENV: 'production',
    PUBLIC_URL: 'http://threadline.bench',
    JWT_SECRET: jwtSecret,
    MONGODB_URI: databaseUri,
    RATE_LIMITS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
  });
  const started = Date.now();
  try {
    while (!(await QueueCounterModel.exists({ _id: NAME_KEYS_BACKFILLED }))) {
      if (service.child.exitCode !== null) throw new Error(`the service exited during its start-up backfills:\n${service.output().slice(-3000)}`);
      if (Date.now() - started > 600_000) throw new Error(`the start-up backfills did not finish within 10 minutes:\n${service.output().slice(-3000)}`);
      await delay(250);
    }
  } catch (err) {
    await service.stop();
    throw err;
  }
  if (Date.now() - started > 1000) console.log(`  (start-up backfills took ${((Date.now() - started) / 1000).toFixed(0)} s; measured after them)`);
  return service;
}

/** A process's name, parent and user + system CPU seconds so far (Linux /proc); null once it is gone. */
export function procStat(pid: number): { name: string; ppid: number; cpuSeconds: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The name is in parentheses and may hold spaces; the fields after it are space-separated.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** User and system CPU seconds of a process so far. */
export function cpuSeconds(pid: number | undefined): number {
  return pid === undefined ? 0 : (procStat(pid)?.cpuSeconds ?? 0);
}

/**
 * `connections` clients posting signed-in root comments for `seconds`, each request to the next of
 * `articleIds` as the next of `tokens`' readers.
 */
export function postingLoad(options: {
  url: string;
  siteId: string;
  articleIds: string[];
  tokens: string[];
  connections: number;
  seconds: number;
}): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          n += 1;
          return {
            ...req,
            path: `/api/v1/sites/${options.siteId}/articles/${options.articleIds[n % options.articleIds.length]}/comments`,
            headers: { authorization: `Bearer ${options.tokens[n % options.tokens.length]}`, 'content-type': 'application/json' },
            body: JSON.stringify({ body: `Load comment ${n} from the benchmark.` }),
          };
        },
      },
    ],
  });
}
