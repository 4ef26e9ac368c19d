import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalDbPreference } from '../../src/db/localServer';

/**
 * A fresh temporary DATA_DIR that PostgreSQL's own account can enter (as root the embedded cluster
 * runs as "postgres"; the cluster's folder itself stays private).
 */
export function benchDataDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `threadline-bench-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** The embedded database the benchmark runner asked for (LOCAL_DB), default auto. */
export function benchLocalDb(): LocalDbPreference {
  return (process.env.LOCAL_DB as LocalDbPreference | undefined) ?? 'auto';
}
