import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import path from 'node:path';
import { binaryCacheDir } from '../../src/db/database';
import { ensureFerretdbBinary, startFerretdb } from '../../src/db/ferretdb';
import { freePort } from '../../src/db/localServer';
import { createLogger } from '../../src/logging/logger';

const repositoryRoot = path.resolve(__dirname, '..', '..');

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function portIsOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

export interface DedicatedFerretdb {
  port: number;
  /** Connection string for the service, with its own database name. */
  uri: string;
  /** The current server process id (changes after restart). */
  pid(): number | undefined;
  /** Sends a signal to the server: SIGKILL to crash it, SIGSTOP/SIGCONT to freeze and thaw it. */
  signal(signal: NodeJS.Signals): void;
  /** Starts the server again on the same port and data folder (after a kill or stop). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A FerretDB server of its own, on a fixed port and data folder, that a test can kill, pause and
 * restart without touching the database that the rest of the run uses.
 */
export async function startDedicatedFerretdb(dataDir: string, port?: number): Promise<DedicatedFerretdb> {
  const logger = createLogger({ level: process.env.TEST_DB_LOG_LEVEL ?? 'error', name: 'dedicated-db' });
  const binary = await ensureFerretdbBinary(binaryCacheDir(), logger);
  const listenPort = port ?? (await freePort());
  let server = startFerretdb(binary, dataDir, listenPort, logger);

  const waitUntilListening = async (): Promise<void> => {
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (await portIsOpen(listenPort)) return;
      await delay(100);
    }
    throw new Error(`FerretDB did not listen on port ${listenPort} within 30 s`);
  };
  await waitUntilListening();

  return {
    port: listenPort,
    uri: `mongodb://127.0.0.1:${listenPort}/threadline_dedicated`,
    pid: () => server.pid,
    signal(signal) {
      if (server.pid !== undefined) process.kill(server.pid, signal);
    },
    async restart() {
      await server.stop();
      server = startFerretdb(binary, dataDir, listenPort, logger);
      await waitUntilListening();
    },
    async stop() {
      // A paused server ignores SIGTERM until it is thawed.
      try {
        if (server.pid !== undefined) process.kill(server.pid, 'SIGCONT');
      } catch {
        // already gone
      }
      await server.stop();
    },
  };
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything the service wrote so far (JSON log lines), for assertions and failure messages. */
  output(): string;
  /** SIGTERM, then waits for the exit; resolves to the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

/**
 * Spawns the real service (`src/server.ts`) as a child process and waits until /healthz answers.
 * `env` is laid over a minimal environment: PORT defaults to a free port and JWT_SECRET to a random one.
 */
export async function spawnService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = env.PORT ?? String(await freePort());
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    JWT_SECRET: randomBytes(48).toString('base64url'),
    ...(process.env.THREADLINE_CACHE_DIR ? { THREADLINE_CACHE_DIR: process.env.THREADLINE_CACHE_DIR } : {}),
    ...env,
    PORT: port,
  };
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/server.ts'], {
    cwd: repositoryRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    if (text.length > 2_000_000) text = text.slice(-1_000_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

  const url = `http://127.0.0.1:${port}`;
  // Generous: a first start creates the PostgreSQL cluster, and a loaded machine transpiles slowly.
  const deadline = Date.now() + 120000;
  let healthy = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) {
        healthy = true;
        break;
      }
    } catch {
      // not listening yet
    }
    await delay(150);
  }
  if (!healthy) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    throw new Error(`the service did not become healthy on ${url}:\n${text.slice(-4000)}`);
  }

  return {
    url,
    child,
    output: () => text,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 20000);
      const code = await exited;
      clearTimeout(forced);
      return code;
    },
  };
}
