/**
 * Runs every benchmark under bench/ (or those named on the command line) one after another.
 * Unless MONGODB_URI is set or BENCH_BACKEND=sqlite, the embedded FerretDB runs on a throwaway
 * PostgreSQL cluster, and each benchmark names its backend beside its figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startPostgresCluster, type PostgresCluster } from './support/postgres';

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const benches = readdirSync(__dirname)
    .filter((name) => name.endsWith('.ts') && name !== 'run.ts')
    .filter((name) => requested.length === 0 || requested.some((r) => name.startsWith(r)));
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_DB: process.env.LOCAL_DB ?? 'ferretdb' };

  let cluster: PostgresCluster | null = null;
  if (!process.env.MONGODB_URI && (process.env.BENCH_BACKEND ?? 'postgresql') === 'postgresql') {
    cluster = await startPostgresCluster();
    env.FERRETDB_POSTGRESQL_URL = cluster.url;
    console.log('backend: FerretDB 1.24 on PostgreSQL (throwaway cluster)');
  }
  let failed = 0;
  try {
    for (const bench of benches) {
      console.log(`\n### ${bench}`);
      const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, bench)], {
        env,
        stdio: 'inherit',
      });
      if (result.status !== 0) failed += 1;
    }
  } finally {
    await cluster?.stop();
  }
  if (failed > 0) process.exit(1);
}

void main();
