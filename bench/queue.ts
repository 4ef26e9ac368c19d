/**
 * Is a moderation queue page O(page)? Seeds one site's queue with 1,000 pending comments, measures the
 * first page, the next page (2) and a page DEEP_PAGE pages in (following nextCursor), then grows the same queue to 10,000 and
 * measures again: the ratio 10k / 1k should stay near 1. Each page is the console's page (50 items,
 * with parents and authors' records). Authors write 50 comments each at both sizes, so the per-author
 * counts cost the same. Then the oldest 9,000 are decided and the first page is read again (the head skips the
 * emptied buckets: the first read moves it, the next ones start there). Sequential reads, mean of READS each; the backend is named beside every figure.
 * BENCH_BACKEND overrides the backend name the database handle reports.
 */
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Types } from 'mongoose';
import { bucketKey, QUEUE_BUCKET_SIZE } from '../src/moderation/queuePlaces';
import { signSessionToken } from '../src/accounts/tokens';
import { UserModel } from '../src/accounts/user.model';
import { CommentModel } from '../src/comments/comment.model';
import { SiteModel } from '../src/sites/site.model';
import { BENCH_JWT_SECRET, benchApp, openBenchDatabase } from './support/benchService';

const PAGE = 50;
const PER_AUTHOR = 50;
const READS = Number(process.env.BENCH_READS ?? 20);
const DEEP_PAGE = Number(process.env.BENCH_DEEP_PAGE ?? 5);

let seeded = 0;

/** Appends `count` pending comments (oldest first), in authors of PER_AUTHOR comments each. */
async function seed(siteId: Types.ObjectId, count: number): Promise<void> {
  for (let done = 0; done < count; done += PER_AUTHOR) {
    const author = await UserModel.create({ displayName: `Queue author ${seeded}`, email: `queue-${seeded}@example.test` });
    const docs = Array.from({ length: PER_AUTHOR }, () => {
      seeded += 1;
      return {
        siteId,
        articleId: `article-${seeded % 40}`,
        author: { id: author._id, displayName: author.displayName },
        body: `Held remark number ${seeded} about the harbour wall.`,
        html: '',
        status: 'pending',
        reasons: [{ code: 'premoderation' }],
        createdAt: new Date(Date.UTC(2025, 0, 1) + seeded * 1000),
      };
    });
    await CommentModel.insertMany(docs);
  }
}

async function timeRead(url: string, headers: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await fetch(url, { headers });
  const body = (await res.json()) as { items?: unknown[] };
  if (res.status !== 200 || body.items?.length !== PAGE) throw new Error(`queue answered ${res.status} with ${body.items?.length} items`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function measure(base: string, headers: Record<string, string>): Promise<{ first: number; next: number; deep: number }> {
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < DEEP_PAGE; i += 1) {
    const url: string = `${base}&limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await (await fetch(url, { headers })).json()) as { nextCursor: string };
    cursor = page.nextCursor;
    cursors.push(cursor);
  }
  const firstUrl = `${base}&limit=${PAGE}`;
  const nextUrl = `${base}&limit=${PAGE}&cursor=${cursors[0]}`;
  const deepUrl = `${base}&limit=${PAGE}&cursor=${cursor}`;
  for (const url of [firstUrl, nextUrl, deepUrl]) await timeRead(url, headers);
  let first = 0;
  let next = 0;
  let deep = 0;
  for (let i = 0; i < READS; i += 1) {
    first += await timeRead(firstUrl, headers);
    next += await timeRead(nextUrl, headers);
    deep += await timeRead(deepUrl, headers);
  }
  return { first: first / READS, next: next / READS, deep: deep / READS };
}

async function main(): Promise<void> {
  const { dataDir, database, backend } = await openBenchDatabase('queue');
  const progress = (text: string): boolean => process.stderr.write(`  ${text}\n`);
  progress(`database up (${backend})`);
  let server: Server | null = null;
  try {
    await CommentModel.syncIndexes();
    const site = await SiteModel.create({ name: 'Queue Gazette', origins: ['https://bench.example'] });
    const admin = await UserModel.create({ displayName: 'Bench admin', email: 'bench-admin@example.test', role: 'admin' });
    const app = benchApp(dataDir);
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const token = signSessionToken({ sub: String(admin._id), role: 'admin', ver: admin.tokenVersion }, BENCH_JWT_SECRET, 3600);
    const headers = { authorization: `Bearer ${token}` };
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/sites/${String(site._id)}/moderation/queue?status=pending`;

    await seed(site._id, 1000);
    progress('seeded 1,000 pending');
    const small = await measure(base, headers);
    progress(`1,000 pending: first page ${small.first.toFixed(1)} ms, page 2 ${small.next.toFixed(1)} ms, page ${DEEP_PAGE + 1} ${small.deep.toFixed(1)} ms`);
    await seed(site._id, 9000);
    progress('seeded 10,000 pending');
    const large = await measure(base, headers);
    // Moderators decide the oldest 9,000 (written as a decision writes the queue fields, one bucket per update):
    // the first page must skip 180 emptied buckets through the queue's head, not read them every time.
    progress('deciding the oldest 9,000');
    for (let bucket = 0; bucket < 9000 / QUEUE_BUCKET_SIZE; bucket += 1) {
      await CommentModel.updateMany(
        { queueBucket: bucketKey(String(site._id), 'pending', bucket) },
        { $set: { status: 'approved', queueBucket: null, queueSeq: null } },
      );
    }
    const firstUrl = `${base}&limit=${PAGE}`;
    const moving = await timeRead(firstUrl, headers);
    let settled = 0;
    for (let i = 0; i < READS; i += 1) settled += await timeRead(firstUrl, headers);
    settled /= READS;
    const row = (name: string, ms: number, ratio?: number): string =>
      `${name.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms${ratio === undefined ? '' : `   ratio to 1,000 pending: ${ratio.toFixed(2)}`}   [backend: ${backend}]`;
    console.log(`backend: ${backend}; pages of ${PAGE}, mean of ${READS} sequential reads`);
    console.log(row('first page, 1,000 pending', small.first));
    console.log(row('next page (2), 1,000 pending', small.next));
    console.log(row(`next page (${DEEP_PAGE + 1}), 1,000 pending`, small.deep));
    console.log(row('first page, 10,000 pending', large.first, large.first / small.first));
    console.log(row('next page (2), 10,000 pending', large.next, large.next / small.next));
    console.log(row(`next page (${DEEP_PAGE + 1}), 10,000 pending`, large.deep, large.deep / small.deep));
    console.log(row('first page, oldest 9,000 decided: 1st read', moving, moving / small.first));
    console.log(row('first page, oldest 9,000 decided: then', settled, settled / small.first));
  } finally {
    server?.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
