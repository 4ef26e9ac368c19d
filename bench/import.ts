/**
 * How many comments per second does an import bring in, for a 100,000-comment WordPress export,
 * with and without the moderation option, and how much memory does it take? Beside each figure:
 * the database backend, and the ratio to a same-run baseline, the parse-only pass (streaming the
 * same file through the XML reader and format rules, no database). Peak memory is the largest
 * resident set sampled during each run, next to the process's resident set before it.
 * BENCH_IMPORT_COMMENTS overrides the size; BENCH_BACKEND the backend name.
 */
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatReader } from '../src/imports/formats';
import { createImportJob, runImport } from '../src/imports/service';
import { readXmlRecords } from '../src/imports/xmlRecords';
import { instrumentDatabase } from '../src/metrics/database';
import { registry } from '../src/metrics/registry';
import { SiteModel } from '../src/sites/site.model';
import { writeWxr } from '../tests/imports/generate';
import { openBenchDatabase } from './support/benchService';

const COMMENTS = Number(process.env.BENCH_IMPORT_COMMENTS ?? 100_000);
const PER_ARTICLE = 100;

interface Measured {
  seconds: number;
  comments: number;
  peakRssMb: number;
}

async function measure(run: () => Promise<number>): Promise<Measured> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = process.hrtime.bigint();
  try {
    const comments = await run();
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, comments, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

async function parseOnly(file: string): Promise<number> {
  const reader = formatReader('wxr');
  let count = 0;
  await readXmlRecords(file, reader.spec, async (records) => {
    for (const record of records) if (reader.comment(record)) count += 1;
  });
  return count;
}

/** Database time by command, from the command-monitoring histogram. */
async function databaseTime(): Promise<string> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'threadline_db_command_duration_seconds');
  const sums = ((metric?.values ?? []) as { metricName?: string; labels: Record<string, string | number>; value: number }[])
    .filter((v) => v.metricName === 'threadline_db_command_duration_seconds_sum')
    .map((v) => [String(v.labels.command), v.value] as const)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  return sums.map(([command, seconds]) => `${command} ${seconds.toFixed(1)}s`).join(', ');
}

async function main(): Promise<void> {
  const { dataDir, database, backend, logger } = await openBenchDatabase('import', 30_000);
  instrumentDatabase();
  try {
    const file = path.join(dataDir, 'export.xml');
    const generated = await writeWxr(file, { articles: Math.ceil(COMMENTS / PER_ARTICLE), commentsPerArticle: PER_ARTICLE, describe: false, spice: 'marmalade' });
    const bytes = statSync(file).size;
    console.log(`export: ${generated.total} comments in ${(bytes / 2 ** 20).toFixed(1)} MB (WXR), backend: ${backend}`);
    const rssBefore = process.memoryUsage().rss / 2 ** 20;

    const baseline = await measure(() => parseOnly(file));
    const results: [string, Measured][] = [['parse only (baseline, no database)', baseline]];
    for (const hold of [false, true]) {
      const site = await SiteModel.create({ name: `bench ${hold}`, settings: { suspectWords: ['marmalade'], bannedWords: ['grapefruit'] } });
      const job = await createImportJob({ siteId: String(site._id), format: 'wxr', articleRule: 'slug', hold, file, bytes });
      const measured = await measure(async () => {
        const done = await runImport(job._id, { logger });
        if (done?.status !== 'done') throw new Error(`import ended ${done?.status}: ${JSON.stringify(done?.error)}`);
        return done.inserted;
      });
      results.push([hold ? 'import, hold by today\'s rules' : 'import, no moderation', measured]);
      console.log(`  database time so far by command: ${await databaseTime()}`);
    }
    console.log(`resident memory before: ${rssBefore.toFixed(0)} MB`);
    for (const [name, m] of results) {
      const rate = m.comments / m.seconds;
      const ratio = m === baseline ? '' : `   ${(rate / (baseline.comments / baseline.seconds)).toFixed(3)}x parse-only`;
      console.log(
        `${name.padEnd(36)} ${Math.round(rate).toString().padStart(8)} comments/s  ${m.seconds.toFixed(1).padStart(6)} s  peak RSS ${m.peakRssMb.toFixed(0)} MB${ratio}   [backend: ${backend}]`,
      );
    }
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
