/**
 * How fast is one page of a 500-comment thread, next to a bare Express JSON endpoint served by the same
 * process? Seeds the thread, then measures, each beside the backend it ran on:
 * - anonymous and signed-in readers under load, one URL: after the first request these are page-cache
 *   hits (warm), each still paying the article-version read;
 * - a signed-in reader with a held comment of their own, under load: the cached public page plus one query for their held comments, merged;
 * - cold reads, one connection: every read comes right after a vote changed the article, so each one
 *   rebuilds the page (req/s here is 1000 / mean latency of those reads alone);
 * - the bare endpoint, for the ratio.
 */
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import autocannon from 'autocannon';
import express, { type Express } from 'express';
import { Types } from 'mongoose';
import { signSessionToken } from '../src/accounts/tokens';
import { UserModel } from '../src/accounts/user.model';
import { CommentModel } from '../src/comments/comment.model';
import { renderComment } from '../src/comments/render';
import { SiteModel } from '../src/sites/site.model';
import { BENCH_JWT_SECRET, benchApp, openBenchDatabase } from './support/benchService';

const THREAD_SIZE = 500;
const ROOTS = 120;
const PAGE_LIMIT = 100;
const MAX_DEPTH = 6;
const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const COLD_READS = Number(process.env.BENCH_COLD_READS ?? 30);

/** A small deterministic generator, so every run seeds the same thread. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const PHRASES = [
  'The council should publish the full budget.',
  'I rode the new tram line this morning and it was **packed**.',
  'Does anyone know when the library reopens?',
  'Good reporting, thanks. More on this at https://news.example/follow-up please.',
  '> quoting the article\n\nThat is not what the minister said last week.',
  'Parking near the harbour is impossible on weekends.',
];

interface Seeded {
  siteId: string;
  /** An approved root written by a seeded reader, for the cold reads' votes. */
  votedCommentId: string;
  reader: { id: string; role: 'commenter'; tokenVersion: number };
  heldAuthor: { id: string; role: 'commenter'; tokenVersion: number };
}

async function seedThread(articleId: string): Promise<Seeded> {
  const random = seededRandom(42);
  const site = await SiteModel.create({ name: 'Bench Gazette', origins: ['https://bench.example'] });
  const users = await UserModel.insertMany(
    Array.from({ length: 25 }, (_, i) => ({ displayName: `Bench reader ${i}`, email: `bench-${i}@example.test` })),
  );
  interface Placed {
    _id: Types.ObjectId;
    rootId: Types.ObjectId;
    ancestors: Types.ObjectId[];
    depth: number;
  }
  const seeded: Placed[] = [];
  const docs = [];
  const start = Date.now() - THREAD_SIZE * 60_000;
  for (let i = 0; i < THREAD_SIZE; i += 1) {
    const _id = new Types.ObjectId();
    const candidates = seeded.filter((c) => c.depth < MAX_DEPTH);
    const parent = i < ROOTS || candidates.length === 0 ? null : candidates[Math.floor(random() * candidates.length)];
    const place: Placed = parent
      ? { _id, rootId: parent.rootId, ancestors: [...parent.ancestors, parent._id], depth: parent.depth + 1 }
      : { _id, rootId: _id, ancestors: [], depth: 0 };
    seeded.push(place);
    const body = PHRASES[i % PHRASES.length];
    const author = users[Math.floor(random() * users.length)];
    docs.push({
      ...place,
      siteId: site._id,
      articleId,
      parentId: place.ancestors[place.ancestors.length - 1] ?? null,
      author: { id: author._id, displayName: author.displayName },
      body,
      html: renderComment(body).html,
      status: 'approved',
      score: Math.floor(random() * 20) - 5,
      createdAt: new Date(start + i * 60_000),
    });
  }
  await CommentModel.insertMany(docs);
  const [reader, heldAuthor] = await UserModel.insertMany([
    { displayName: 'Bench signed-in reader', email: 'bench-reader@example.test' },
    { displayName: 'Bench held author', email: 'bench-held@example.test' },
  ]);
  const asViewer = (user: typeof reader) => ({ id: String(user._id), role: 'commenter' as const, tokenVersion: user.tokenVersion ?? 0 });
  return { siteId: String(site._id), votedCommentId: String(docs[0]._id), reader: asViewer(reader), heldAuthor: asViewer(heldAuthor) };
}

function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

interface Measured {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function measure(url: string, headers: Record<string, string> = {}): Promise<Measured> {
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION_SECONDS });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

/** Reads one at a time, each right after a vote that changes the article, so none can be a cache hit. */
async function measureCold(threadUrl: string, voteUrl: string, voterToken: string): Promise<Measured> {
  const latencies: number[] = [];
  let non2xx = 0;
  for (let i = 0; i < COLD_READS; i += 1) {
    const vote = await fetch(voteUrl, {
      method: 'PUT',
      headers: { authorization: `Bearer ${voterToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ value: i % 2 === 0 ? 1 : 0 }),
    });
    if (!vote.ok) throw new Error(`vote answered ${vote.status}`);
    const started = performance.now();
    const res = await fetch(threadUrl);
    await res.arrayBuffer();
    latencies.push(performance.now() - started);
    if (!res.ok) non2xx += 1;
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
  const mean = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;
  return { requestsPerSecond: 1000 / mean, p50: at(0.5), p99: at(0.99), non2xx };
}

function line(name: string, m: Measured, backend: string, baseline?: Measured): string {
  const ratio = baseline ? `   ratio ${(m.requestsPerSecond / baseline.requestsPerSecond).toFixed(3)} of bare req/s` : '';
  return `${name.padEnd(46)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s   p50 ${String(m.p50).padStart(5)} ms   p99 ${String(
    m.p99,
  ).padStart(5)} ms${ratio}   [backend: ${backend}]${m.non2xx > 0 ? `   (${m.non2xx} non-2xx!)` : ''}`;
}

async function main(): Promise<void> {
  const { dataDir, database, backend } = await openBenchDatabase('thread');
  const servers: Server[] = [];
  try {
    const articleId = 'bench-thread';
    const seeded = await seedThread(articleId);
    const { siteId } = seeded;
    const service = await listen(benchApp(dataDir));
    const bareApp = express();
    bareApp.get('/bare', (_req, res) => {
      res.json({ status: 'ok' });
    });
    const bare = await listen(bareApp);
    servers.push(service, bare);

    const base = `http://127.0.0.1:${(service.address() as AddressInfo).port}/api/v1`;
    const threadUrl = `${base}/sites/${siteId}/articles/${articleId}/comments?sort=oldest&limit=${PAGE_LIMIT}`;
    const tokenOf = (user: Seeded['reader']) =>
      signSessionToken({ sub: user.id, role: user.role, ver: user.tokenVersion }, BENCH_JWT_SECRET, 3600);
    const readerAuth = { authorization: `Bearer ${tokenOf(seeded.reader)}` };
    const heldAuth = { authorization: `Bearer ${tokenOf(seeded.heldAuthor)}` };
    // A first comment under premoderation: held, and its author is marked as having held comments here.
    await SiteModel.updateOne({ _id: siteId }, { $set: { 'settings.premoderation': 'first-comment' } });
    const held = await fetch(`${base}/sites/${siteId}/articles/${articleId}/comments`, {
      method: 'POST',
      headers: { ...heldAuth, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'A bench comment waiting for review.' }),
    });
    const heldJson = (await held.json()) as { status?: string };
    if (held.status !== 201 || heldJson.status !== 'pending') throw new Error(`the held comment answered ${held.status} ${heldJson.status}`);
    const check = (await (await fetch(threadUrl)).json()) as { comments: unknown[]; total: number };
    const heldCheck = (await (await fetch(threadUrl, { headers: heldAuth })).json()) as { comments: unknown[] };
    console.log(`backend: ${backend}`);
    console.log(
      `thread: ${THREAD_SIZE} comments, ${ROOTS} roots, depth up to ${MAX_DEPTH}; page of ${check.comments.length} roots, total ${check.total}` +
        ` (the held author's page: ${heldCheck.comments.length} roots)`,
    );
    console.log(`load: ${CONNECTIONS} connections, ${DURATION_SECONDS} s each after a 2 s warm-up; cold: ${COLD_READS} reads, one connection`);

    const warmAnonymous = await measure(threadUrl);
    const warmSignedIn = await measure(threadUrl, readerAuth);
    const heldSignedIn = await measure(threadUrl, heldAuth);
    const cold = await measureCold(threadUrl, `${base}/comments/${seeded.votedCommentId}/vote`, tokenOf(seeded.reader));
    const baseline = await measure(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/bare`);
    console.log(line('anonymous, warm (cache hit)', warmAnonymous, backend, baseline));
    console.log(line('signed-in, no held comments, warm (cache hit)', warmSignedIn, backend, baseline));
    console.log(line('signed-in with a held comment (merged)', heldSignedIn, backend, baseline));
    console.log(line('anonymous, cold (first read after a vote)', cold, backend, baseline));
    console.log(line('bare Express JSON', baseline, backend));
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
