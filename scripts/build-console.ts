import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildConsoleScript, CONSOLE_DIST_FILE, CONSOLE_GZIP_BUDGET_BYTES } from '../src/console/bundle';

/** Builds the moderator console's script and fails when it outgrows its gzipped budget. */
async function main(): Promise<void> {
  const code = await buildConsoleScript();
  mkdirSync(path.dirname(CONSOLE_DIST_FILE), { recursive: true });
  writeFileSync(CONSOLE_DIST_FILE, code);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`console.js: ${(code.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped (budget ${CONSOLE_GZIP_BUDGET_BYTES / 1024} KB)`);
  if (gzipped > CONSOLE_GZIP_BUDGET_BYTES) {
    console.error(`console.js is ${gzipped} bytes gzipped; the budget is ${CONSOLE_GZIP_BUDGET_BYTES}.`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
