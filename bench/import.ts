/**
 * How many comments per second does an import bring in, for a 100,000-comment WordPress export,
 * with and without the moderation option (and a Disqus export of the same size), and how much
 * memory does it take? Beside each figure: the database backend, and the ratio to a same-run
 * baseline, the parse-only pass (streaming the same file through the XML reader and format rules,
 * no database). Peak memory is the largest resident set and V8 heap sampled every 50 ms during each
 * run (this process only; the database server runs apart), next to the resident set before.
 * The exports are generated into the benchmark's temporary DATA_DIR and deleted with it.
 * BENCH_IMPORT_COMMENTS overrides the size; BENCH_IMPORT_DISQUS=0 leaves Disqus out.
 */
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatReader } from '../src/imports/formats';
import { createImportJob, runImport } from '../src/imports/service';
import { readXmlRecords } from '../src/imports/xmlRecords';
import { instrumentDatabase } from '../src/metrics/database';
import { registry } from '../src/metrics/registry';
import { SiteModel } from '../src/sites/site.model';
import { writeDisqus, writeWxr } from '../tests/imports/generate';
import type { ImportFormat } from '../src/imports/sourceComment';
import { openBenchDatabase } from './support/benchService';

const COMMENTS = Number(process.env.BENCH_IMPORT_COMMENTS ?? 100_000);
const PER_ARTICLE = 100;

const WITH_DISQUS = process.env.BENCH_IMPORT_DISQUS !== '0';

interface Measured {
  seconds: number;
  comments: number;
  peakRssMb: number;
  peakHeapMb: number;
}

async function measure(run: () => Promise<number>): Promise<Measured> {
  // With --expose-gc (npm run bench:import), each run starts from a collected heap.
  (globalThis as { gc?: () => void }).gc?.();
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const sample = (): void => {
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss);
    heap = Math.max(heap, now.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  const started = process.hrtime.bigint();
  try {
    const comments = await run();
    sample();
    return { seconds: Number(process.hrtime.bigint() - started) / 1e9, comments, peakRssMb: rss / 2 ** 20, peakHeapMb: heap / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

async function parseOnly(file: string, format: ImportFormat): Promise<number> {
  const reader = formatReader(format);
  let count = 0;
  await readXmlRecords(file, reader.spec, async (records) => {
    for (const record of records) if (reader.comment(record)) count += 1;
  });
  return count;
}

/** Database time and commands by command name, from the command-monitoring histogram. */
async function databaseTime(): Promise<Map<string, { seconds: number; count: number }>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'threadline_db_command_duration_seconds');
  const values = (metric?.values ?? []) as { metricName?: string; labels: Record<string, string | number>; value: number }[];
  const byCommand = new Map<string, { seconds: number; count: number }>();
  for (const v of values) {
    const entry = byCommand.get(String(v.labels.command)) ?? { seconds: 0, count: 0 };
    if (v.metricName === 'threadline_db_command_duration_seconds_sum') entry.seconds += v.value;
    else if (v.metricName === 'threadline_db_command_duration_seconds_count') entry.count += v.value;
    else continue;
    byCommand.set(String(v.labels.command), entry);
  }
  return byCommand;
}

function timeSpent(before: Map<string, { seconds: number; count: number }>, after: Map<string, { seconds: number; count: number }>): string {
  return [...after]
    .map(([command, { seconds, count }]) => [command, seconds - (before.get(command)?.seconds ?? 0), count - (before.get(command)?.count ?? 0)] as const)
    .filter(([, seconds]) => seconds >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([command, seconds, count]) => `${command} ${seconds.toFixed(1)} s (${count})`)
    .join(', ');
}

async function main(): Promise<void> {
  const { dataDir, database, backend, logger } = await openBenchDatabase('import', 30_000);
  instrumentDatabase();
  try {
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const rows: { name: string; m: Measured; baseline: Measured | null }[] = [];
    const articles = Math.ceil(COMMENTS / PER_ARTICLE);
    const variants: { format: ImportFormat; holds: boolean[] }[] = [{ format: 'wxr', holds: [false, true] }, ...(WITH_DISQUS ? [{ format: 'disqus' as const, holds: [false] }] : [])];
    for (const { format, holds } of variants) {
      const file = path.join(dataDir, `export-${format}.xml`);
      const write = format === 'wxr' ? writeWxr : writeDisqus;
      const generated = await write(file, { articles, commentsPerArticle: PER_ARTICLE, describe: false, spice: 'marmalade' });
      const bytes = statSync(file).size;
      console.log(`${format} export: ${generated.total} comments on ${articles} articles, ${(bytes / 2 ** 20).toFixed(1)} MB, nested 5 deep; backend: ${backend}`);
      const baseline = await measure(() => parseOnly(file, format));
      rows.push({ name: `${format}: parse only (baseline, no database)`, m: baseline, baseline: null });
      for (const hold of holds) {
        const site = await SiteModel.create({ name: `bench ${format} ${hold}`, settings: { suspectWords: ['marmalade'], bannedWords: ['grapefruit'] } });
        const job = await createImportJob({ siteId: String(site._id), format, articleRule: format === 'wxr' ? 'slug' : 'path', hold, file, bytes });
        const before = await databaseTime();
        const measured = await measure(async () => {
          const done = await runImport(job._id, { logger });
          if (done?.status !== 'done') throw new Error(`import ended ${done?.status}: ${JSON.stringify(done?.error)}`);
          if (done.inserted !== generated.total) throw new Error(`inserted ${done.inserted} of ${generated.total}`);
          return done.inserted;
        });
        const name = `${format}: import, ${hold ? "hold by today's rules" : 'no moderation'}`;
        rows.push({ name, m: measured, baseline });
        console.log(`  ${name}: database time by command: ${timeSpent(before, await databaseTime())}`);
      }
      rmSync(file, { force: true });
    }
    console.log(`resident memory before: ${rssBefore.toFixed(0)} MB (this process; the database server is another)`);
    for (const { name, m, baseline } of rows) {
      const rate = m.comments / m.seconds;
      const ratio = baseline ? `   ${(rate / (baseline.comments / baseline.seconds)).toFixed(3)}x parse-only` : '';
      console.log(
        `${name.padEnd(44)} ${Math.round(rate).toString().padStart(7)} comments/s  ${m.seconds.toFixed(1).padStart(6)} s  peak RSS ${m.peakRssMb.toFixed(0)} MB, heap ${m.peakHeapMb.toFixed(0)} MB${ratio}   [backend: ${backend}]`,
      );
    }
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
