/**
 * Runs every benchmark under bench/ (or those named on the command line) one after another.
 * Unless MONGODB_URI is set, each starts the embedded database: FerretDB on a private PostgreSQL
 * cluster (LOCAL_DB=ferretdb picks it whenever PostgreSQL is installed; BENCH_BACKEND=sqlite or
 * LOCAL_DB=ferretdb-sqlite measures the SQLite fallback), and names its backend beside its figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

function main(): void {
  const requested = process.argv.slice(2);
  const benches = readdirSync(__dirname)
    .filter((name) => name.endsWith('.ts') && name !== 'run.ts')
    .filter((name) => requested.length === 0 || requested.some((r) => name.startsWith(r)));
  const defaultDb = process.env.BENCH_BACKEND === 'sqlite' ? 'ferretdb-sqlite' : 'ferretdb';
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_DB: process.env.LOCAL_DB ?? defaultDb };
  let failed = 0;
  for (const bench of benches) {
    console.log(`\n### ${bench}`);
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, bench)], {
      env,
      stdio: 'inherit',
    });
    if (result.status !== 0) failed += 1;
  }
  if (failed > 0) process.exit(1);
}

main();
