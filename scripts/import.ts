/**
 * Imports a WordPress (WXR) or Disqus export into a site, with progress on standard error:
 *
 *   npm run import -- --site SITE_ID --format wxr|disqus [--article-key slug|path|map] [--map FILE] [--hold] FILE
 *
 * --article-key picks how pages become the site's article ids (slug by default; map reads FILE of
 * "source,articleId" lines given with --map). --hold runs each comment through today's content rules.
 * The run is a job named after the site, file and options: run the same command again after a crash
 * and it resumes from its checkpoint; once done, running it again reports the finished job (add
 * --again for a fresh run, which adds only comments not already there). Uses MONGODB_URI, or the
 * embedded database in DATA_DIR like the service (stop an embedded-database service first).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { z } from 'zod';
import { loadConfig } from '../src/config/config';
import { openConfiguredDatabase } from '../src/db/database';
import { ARTICLE_RULES } from '../src/imports/articleRule';
import { createImportJob, findImportJob, runImport, toImportJson, type ImportProgress } from '../src/imports/service';
import { IMPORT_FORMATS } from '../src/imports/sourceComment';
import { createLogger } from '../src/logging/logger';

const USAGE = 'Usage: npm run import -- --site SITE_ID --format wxr|disqus [--article-key slug|path|map] [--map FILE] [--hold] [--again] FILE';

const argsSchema = z.object({
  site: z.string().regex(/^[a-f0-9]{24}$/i, 'must be a site id'),
  format: z.enum(IMPORT_FORMATS),
  'article-key': z.enum(ARTICLE_RULES).default('slug'),
  map: z.string().optional(),
  hold: z.boolean().default(false),
  again: z.boolean().default(false),
});

const number = new Intl.NumberFormat('en');
const duration = (seconds: number): string =>
  !Number.isFinite(seconds) ? '?' : seconds >= 3600 ? `${Math.floor(seconds / 3600)}h${Math.round((seconds % 3600) / 60)}m` : seconds >= 60 ? `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s` : `${Math.round(seconds)}s`;

/** One line of progress, rewritten in place on a terminal: count, rate and time left. */
function progressPrinter(): (progress: ImportProgress) => void {
  let phaseStarted = Date.now();
  let phase = '';
  let last = 0;
  let base = 0;
  return (progress) => {
    const now = Date.now();
    if (progress.phase !== phase) {
      if (phase) process.stderr.write('\n');
      phase = progress.phase;
      phaseStarted = now;
      base = progress.phase === 'checking' ? progress.read : 0;
      // A new phase always gets its first line, however soon after the last one it starts.
      last = 0;
    }
    if (now - last < 250) return;
    last = now;
    const seconds = Math.max(0.001, (now - phaseStarted) / 1000);
    let line: string;
    if (progress.phase === 'checking') {
      const rate = (progress.read - base) / seconds;
      const share = progress.bytes > 0 ? progress.bytesRead / progress.bytes : 0;
      const left = share > 0 ? (seconds / share) * (1 - share) : Infinity;
      line = `checking: ${number.format(progress.read)} comments, ${number.format(Math.round(rate))}/s, ${(share * 100).toFixed(0)}% of the file, ~${duration(left)} left`;
    } else {
      const rate = progress.published / seconds;
      const left = progress.total && rate > 0 ? (progress.total - progress.published) / rate : Infinity;
      line = `publishing: ${number.format(progress.published)}/${number.format(progress.total ?? 0)} comments, ${number.format(Math.round(rate))}/s, ~${duration(left)} left`;
    }
    process.stderr.write(process.stderr.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      site: { type: 'string' },
      format: { type: 'string' },
      'article-key': { type: 'string' },
      map: { type: 'string' },
      hold: { type: 'boolean' },
      again: { type: 'boolean' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success || positionals.length !== 1 || (parsed.data['article-key'] === 'map') !== Boolean(parsed.data.map)) {
    console.error(USAGE);
    if (!parsed.success) for (const issue of parsed.error.issues) console.error(`  --${issue.path.join('.')}: ${issue.message}`);
    process.exit(64);
  }
  const args = parsed.data;
  const file = path.resolve(positionals[0]);
  const mappingFile = args.map ? path.resolve(args.map) : null;
  const stat = statSync(file);
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', name: 'import' });
  const database = await openConfiguredDatabase(config, logger);
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  try {
    // The same command over the same file names the same job, so that running it again resumes it.
    const key = [args.site, args.format, args['article-key'], mappingFile ?? '', args.hold, file, stat.size, stat.mtimeMs].join('\u0000');
    const id = args.again ? new Types.ObjectId().toHexString() : createHash('sha256').update(key).digest('hex').slice(0, 24);
    let job = await findImportJob(id);
    if (!job) {
      job = await createImportJob({ id, siteId: args.site, format: args.format, articleRule: args['article-key'], mappingFile, hold: args.hold, file, bytes: stat.size });
      process.stderr.write(`import ${id}: ${number.format(stat.size)} bytes of ${args.format}\n`);
    } else if (job.status === 'running') {
      process.stderr.write(`import ${id}: resuming after ${number.format(job.checkpoint)} comments of the file\n`);
    }
    if (job.status === 'running') {
      const ran = await runImport(id, { logger, signal: stop.signal, onProgress: progressPrinter() }).catch((err: unknown) => {
        if (err instanceof Error && err.name === 'ImportAborted') {
          process.stderr.write(`\nstopped; run the same command again to resume\n`);
          process.exit(130);
        }
        throw err;
      });
      process.stderr.write('\n');
      if (!ran) {
        console.error(`import ${id} is being run by another process; try again once its lease (30 s) has run out`);
        process.exit(75);
      }
      job = ran;
    }
    const summary = toImportJson(job);
    console.log(JSON.stringify(summary));
    if (job.status === 'failed') {
      console.error(`import failed: ${String(summary.error)} (nothing was published)`);
      process.exitCode = 1;
    }
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(`import failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
