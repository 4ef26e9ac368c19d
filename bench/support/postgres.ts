import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/db/localServer';

export interface PostgresCluster {
  url: string;
  stop(): Promise<void>;
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL server binaries not found; install Debian\'s "postgresql" package');
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root, so as root the cluster runs as the "postgres" account. */
function asPostgres(command: string, args: string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args };
  return { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] };
}

/** A throwaway PostgreSQL cluster on loopback, for FerretDB's PostgreSQL backend in benchmarks. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const init = asPostgres(path.join(bin, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  const initResult = spawnSync(init.command, init.args, { encoding: 'utf8' });
  if (initResult.status !== 0) throw new Error(`initdb failed: ${initResult.stderr}`);

  const port = await freePort();
  const run = asPostgres(path.join(bin, 'postgres'), [
    '-D', dir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
  ]);
  const server: ChildProcess = spawn(run.command, run.args, { stdio: 'ignore' });
  const deadline = Date.now() + 30000;
  const ready = asPostgres(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]);
  while (spawnSync(ready.command, ready.args).status !== 0) {
    if (Date.now() > deadline) throw new Error('PostgreSQL did not start within 30 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      // runuser does not pass signals on to the server, so pg_ctl stops it by its data folder.
      const exited = new Promise((resolve) => server.once('exit', resolve));
      const stop = asPostgres(path.join(bin, 'pg_ctl'), ['-D', dir, '-m', 'fast', '-w', 'stop']);
      spawnSync(stop.command, stop.args, { stdio: 'ignore' });
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
