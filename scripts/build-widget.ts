import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWidgetFile, WIDGET_DIST_DIR, WIDGET_ENTRIES, type WidgetFile } from '../src/widget/bundle';

/** The embed script loads on every article page of every site, so its size is a budget, not a wish. */
const EMBED_GZIP_BUDGET_BYTES = 30 * 1024;

async function main(): Promise<void> {
  mkdirSync(WIDGET_DIST_DIR, { recursive: true });
  let failed = false;
  for (const file of Object.keys(WIDGET_ENTRIES) as WidgetFile[]) {
    const code = await buildWidgetFile(file);
    writeFileSync(path.join(WIDGET_DIST_DIR, file), code);
    const gzipped = gzipSync(code, { level: 9 }).length;
    console.log(`${file}: ${(code.length / 1024).toFixed(1)} KB, ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    if (file === 'embed.js' && gzipped > EMBED_GZIP_BUDGET_BYTES) {
      console.error(`embed.js is ${gzipped} bytes gzipped; the budget is ${EMBED_GZIP_BUDGET_BYTES}.`);
      failed = true;
    }
  }
  if (failed) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
