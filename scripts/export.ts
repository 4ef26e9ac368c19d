/**
 * Writes a site's comments to a file (or standard output) as JSON lines or WXR:
 *
 *   npm run export -- --site SITE_ID --format jsonl|wxr [--include-emails] [--out FILE]
 *
 * Uses MONGODB_URI, or the embedded database in DATA_DIR like the service.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../src/config/config';
import { openConfiguredDatabase } from '../src/db/database';
import { EXPORT_FORMATS, exportComments } from '../src/exports/service';
import { createLogger } from '../src/logging/logger';

const argsSchema = z.object({
  site: z.string().regex(/^[a-f0-9]{24}$/i, 'must be a site id'),
  format: z.enum(EXPORT_FORMATS),
  'include-emails': z.boolean().default(false),
  out: z.string().optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { site: { type: 'string' }, format: { type: 'string' }, 'include-emails': { type: 'boolean' }, out: { type: 'string' } },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    console.error('Usage: npm run export -- --site SITE_ID --format jsonl|wxr [--include-emails] [--out FILE]');
    process.exit(64);
  }
  const args = parsed.data;
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', name: 'export' });
  const database = await openConfiguredDatabase(config, logger);
  const out = args.out ? createWriteStream(args.out) : process.stdout;
  try {
    const count = await exportComments(
      args.site,
      args.format,
      async (chunk) => {
        if (!out.write(chunk)) await once(out, 'drain');
      },
      { includeEmails: args['include-emails'] },
    );
    if (args.out) {
      out.end();
      await once(out, 'finish');
    }
    process.stderr.write(`exported ${count} comments\n`);
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(`export failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
