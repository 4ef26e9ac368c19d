/**
 * Does the service stay O(thread) as the database grows? Seeds the same content as issue 10's table
 * (5,500 comments: one article of 500, 49 of 100, 20 of 5), then grows it to 100,000 comments, and
 * measures the real service (src/server.ts in its own process, over loopback HTTP, rate limits off)
 * at each size, each figure beside its backend:
 * - read right after a write (p50), on the 500-comment article;
 * - first read of a 5-comment article, with 100 comments stored (the 20 small articles alone) and
 *   with 5,500 and 100,000 stored (a fresh process each time, so no page is cached);
 * - comments posted per second by 10 clients, and the service's CPU per post;
 * - a cached read as a fraction of a bare Express process sending the same bytes;
 * - 10 connections reading one article while it is written to every second, for BENCH_SOAK_SECONDS
 *   (default 70): every request answered, p99;
 * - the service's memory after 400 anonymous requests with equivalent but different cursors;
 * - EXPLAIN ANALYZE of the hot query shapes, as FerretDB sends them, on the seeded data.
 * The database is opened here (seeded through the models in batches); the service connects to it.
 * Env: BENCH_SCALE_LARGE (default 100000), BENCH_POST_SECONDS (10), BENCH_SOAK_SECONDS (70).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import mongoose, { Types } from 'mongoose';
import { signSessionToken } from '../src/accounts/tokens';
import { UserModel } from '../src/accounts/user.model';
import { ArticleModel, articleKey } from '../src/comments/article.model';
import { CommentModel } from '../src/comments/comment.model';
import { renderComment } from '../src/comments/render';
import { openDatabase, type Database } from '../src/db/database';
import { explainPushedDownFilter, type PushedDownValue } from '../src/db/jsonbIndexes';
import { createLogger } from '../src/logging/logger';
import { SiteModel } from '../src/sites/site.model';
import { benchDataDir, benchLocalDb } from './support/dataDir';
import { cpuSeconds, postingLoad, repositoryRoot, startProcess, startService, type BenchProcess } from './support/serviceProcess';

const LARGE = Number(process.env.BENCH_SCALE_LARGE ?? 100_000);
const POST_SECONDS = Number(process.env.BENCH_POST_SECONDS ?? 10);
const SOAK_SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 70);
const CONNECTIONS = 10;
const READ_AFTER_WRITE_ROUNDS = 30;
const FLOOD_REQUESTS = 400;
const JWT_SECRET = randomBytes(48).toString('base64url');

const PHRASES = [
  'The bridge works should finish before the winter, says the notice.',
  'I counted nine buses in an hour on the ring road today.',
  'Is the market moving to the square for good or only this summer?',
  'Thanks for the clear numbers in this piece.',
  'The school meeting was moved to Thursday evening.',
  'Cycling lanes on the east side are still unfinished.',
];

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const random = seededRandom(7);

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const ms = (value: number): string => `${value.toFixed(1)} ms`;

interface World {
  siteId: Types.ObjectId;
  users: { id: string; token: string }[];
}

async function createWorld(): Promise<World> {
  const site = await SiteModel.create({ name: 'Scale Courier', origins: ['https://scale.example'] });
  const users = await UserModel.insertMany(
    Array.from({ length: 50 }, (_, i) => ({ displayName: `Scale reader ${i}`, email: `scale-${i}@example.test`, emailVerified: true })),
  );
  return {
    siteId: site._id,
    users: users.map((user) => ({
      id: String(user._id),
      token: signSessionToken({ sub: String(user._id), role: 'commenter', ver: user.tokenVersion ?? 0 }, JWT_SECRET, 6 * 3600),
    })),
  };
}

/** Writes articles' comments straight through the driver in batches (defaults applied by the model). */
async function seedArticles(world: World, articles: { articleId: string; count: number }[]): Promise<number> {
  const html = PHRASES.map((body) => renderComment(body).html);
  let batch: Record<string, unknown>[] = [];
  let written = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await CommentModel.collection.insertMany(batch, { ordered: false });
    written += batch.length;
    batch = [];
  };
  const start = Date.now() - 30 * 86_400_000;
  for (const { articleId, count } of articles) {
    const placed: { _id: Types.ObjectId; rootId: Types.ObjectId; ancestors: Types.ObjectId[]; depth: number }[] = [];
    for (let i = 0; i < count; i += 1) {
      const _id = new Types.ObjectId();
      const parent = i >= 3 && random() < 0.4 ? placed[Math.floor(random() * placed.length)] : null;
      const place =
        parent && parent.depth < 4
          ? { _id, rootId: parent.rootId, ancestors: [...parent.ancestors, parent._id], depth: parent.depth + 1 }
          : { _id, rootId: _id, ancestors: [], depth: 0 };
      placed.push(place);
      const user = world.users[Math.floor(random() * world.users.length)];
      const phrase = Math.floor(random() * PHRASES.length);
      const at = new Date(start + written * 1000 + batch.length * 1000);
      const doc = new CommentModel({
        ...place,
        siteId: world.siteId,
        articleId,
        parentId: place.ancestors[place.ancestors.length - 1] ?? null,
        author: { id: new Types.ObjectId(user.id), displayName: 'Scale reader' },
        body: PHRASES[phrase],
        html: html[phrase],
        status: 'approved',
        score: Math.floor(random() * 10),
        createdAt: at,
        updatedAt: at,
      }).toObject();
      batch.push(doc);
      if (batch.length === 1000) await flush();
    }
    // The article document as the service keeps it (whichever of these fields its model has).
    const article: Record<string, unknown> = {};
    if (ArticleModel.schema.path('version')) article.version = randomBytes(8).toString('hex');
    if (ArticleModel.schema.path('approvedCount')) article.approvedCount = count;
    await ArticleModel.collection.updateOne(
      { _id: articleKey(String(world.siteId), articleId) } as Record<string, unknown>,
      { $set: article },
      { upsert: true },
    );
  }
  await flush();
  return written;
}

/** A bare Express process answering one URL with the given bytes, for the cached-read ratio. */
function startBare(bodyFile: string): Promise<BenchProcess> {
  const script =
    "const express=require('express');const body=require('fs').readFileSync(process.env.BODY_FILE);" +
    "const app=express();app.get('/healthz',(q,r)=>r.send('ok'));" +
    "app.get('/page',(q,r)=>{r.setHeader('Cache-Control','private, no-cache');r.type('application/json').send(body);});" +
    'app.listen(Number(process.env.PORT),process.env.HOST);';
  return startProcess(['-e', script], { BODY_FILE: bodyFile, NODE_PATH: path.join(repositoryRoot, 'node_modules') });
}

function rssMegabytes(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(line.replace(/\D+/g, '')) / 1024;
}

async function timedGet(url: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: performance.now() - started, status: res.status, body };
}

const threadUrl = (service: BenchProcess, world: World, articleId: string, query = ''): string =>
  `${service.url}/api/v1/sites/${String(world.siteId)}/articles/${articleId}/comments${query}`;

let postCounter = 0;
async function post(service: BenchProcess, world: World, articleId: string): Promise<void> {
  postCounter += 1;
  const user = world.users[postCounter % world.users.length];
  const res = await fetch(threadUrl(service, world, articleId), {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: `A scale comment, number ${postCounter}.` }),
  });
  if (res.status !== 201) throw new Error(`posting answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

/** First reads of the given articles in a process that never read them: the median. */
async function firstReads(service: BenchProcess, world: World, articleIds: string[]): Promise<number> {
  const times: number[] = [];
  for (const articleId of articleIds) {
    const read = await timedGet(threadUrl(service, world, articleId));
    if (read.status !== 200) throw new Error(`a first read answered ${read.status}`);
    times.push(read.ms);
  }
  return quantile(times, 0.5);
}

async function readAfterWrite(service: BenchProcess, world: World, articleId: string): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  await timedGet(threadUrl(service, world, articleId));
  for (let i = 0; i < READ_AFTER_WRITE_ROUNDS; i += 1) {
    await post(service, world, articleId);
    const read = await timedGet(threadUrl(service, world, articleId));
    if (read.status !== 200) throw new Error(`a read after a write answered ${read.status}`);
    times.push(read.ms);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

async function postsPerSecond(
  service: BenchProcess,
  world: World,
  articleIds: string[],
): Promise<{ perSecond: number; p99: number; errors: number; cpuMsPerPost: number }> {
  const cpuBefore = cpuSeconds(service.child.pid);
  const result = await postingLoad({
    url: service.url,
    siteId: String(world.siteId),
    articleIds,
    tokens: world.users.map((user) => user.token),
    connections: CONNECTIONS,
    seconds: POST_SECONDS,
  });
  const cpu = cpuSeconds(service.child.pid) - cpuBefore;
  const posted = result['2xx'];
  return {
    perSecond: posted / POST_SECONDS,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuMsPerPost: posted > 0 ? (cpu * 1000) / posted : 0,
  };
}

async function loadRead(url: string, seconds: number): Promise<autocannon.Result> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 });
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, timeout: 10 });
}

/** 10 readers on one article while another client writes to it every second. */
async function soak(service: BenchProcess, world: World, articleId: string, others: string[]): Promise<string> {
  let writing = true;
  let writes = 0;
  let otherFailures = 0;
  let otherReads = 0;
  const writer = (async () => {
    while (writing) {
      await post(service, world, articleId);
      writes += 1;
      const other = await timedGet(threadUrl(service, world, others[writes % others.length]));
      otherReads += 1;
      if (other.status !== 200) otherFailures += 1;
      await delay(1000);
    }
  })();
  const result = await autocannon({ url: threadUrl(service, world, articleId), connections: CONNECTIONS, duration: SOAK_SECONDS, timeout: 10 });
  writing = false;
  await writer;
  const unanswered = result.errors + result.timeouts + result.non2xx;
  return (
    `${result.requests.total} reads in ${SOAK_SECONDS} s across ${writes} writes: ${unanswered} unanswered or non-2xx, ` +
    `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms; other articles meanwhile ${otherReads - otherFailures}/${otherReads} answered 200`
  );
}

/** Equivalent spellings of one cursor: the same fields in other orders and with other spacing. */
function equivalentCursors(cursor: string, count: number): string[] {
  const fields = Object.entries(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>);
  const orders = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  const out: string[] = [];
  for (let spaces = 0; out.length < count; spaces += 1) {
    for (const order of orders) {
      const parts = order.map((i) => fields[i]).filter(Boolean);
      const pad = ' '.repeat(spaces % 12);
      const lead = ' '.repeat(Math.floor(spaces / 12));
      const json = `{${lead}${parts.map(([k, v]) => `${JSON.stringify(k)}:${pad}${JSON.stringify(v)}`).join(',')}}`;
      const encoded = Buffer.from(json).toString('base64url');
      if (encoded !== cursor && encoded.length <= 512) out.push(encoded);
      if (out.length === count) break;
    }
  }
  return out;
}

async function cursorFlood(service: BenchProcess, world: World, articleId: string): Promise<string> {
  const first = JSON.parse((await timedGet(threadUrl(service, world, articleId, '?limit=10'))).body) as { nextCursor?: string | null };
  if (!first.nextCursor) return 'no cursor on the first page; flood skipped';
  const cursors = equivalentCursors(first.nextCursor, FLOOD_REQUESTS);
  const before = rssMegabytes(service.child.pid);
  let ok = 0;
  for (let i = 0; i < cursors.length; i += CONNECTIONS) {
    const answers = await Promise.all(
      cursors.slice(i, i + CONNECTIONS).map((cursor) => timedGet(threadUrl(service, world, articleId, `?limit=10&cursor=${cursor}`))),
    );
    ok += answers.filter((a) => a.status === 200).length;
  }
  const after = rssMegabytes(service.child.pid);
  return `${cursors.length} requests with equivalent cursors (${ok} answered 200): service RSS ${before.toFixed(0)} MB before, ${after.toFixed(0)} MB after (${(after / before).toFixed(2)}x)`;
}

async function printPlans(database: Database, world: World, articleId: string): Promise<void> {
  if (!database.postgresql) {
    console.log(`EXPLAIN: not available on ${database.backend}`);
    return;
  }
  const pg = database.postgresql;
  await pg.query('ANALYZE');
  const sample = (await CommentModel.findOne({ siteId: world.siteId, articleId, depth: 1 }).lean()) as {
    _id: Types.ObjectId;
    parentId: Types.ObjectId;
    rootId: Types.ObjectId;
  } | null;
  if (!sample) return;
  const comments = CommentModel.collection.collectionName;
  const shapes: [string, string, Record<string, PushedDownValue>][] = [
    ['comment by _id', comments, { _id: sample._id }],
    ["article's comments (siteId+articleId)", comments, { siteId: world.siteId, articleId }],
    ['replies (parentId)', comments, { parentId: sample.parentId }],
    ['thread (rootId)', comments, { rootId: sample.rootId }],
    ['queue (siteId+status)', comments, { siteId: world.siteId, status: 'pending' }],
    ['article doc by _id', ArticleModel.collection.collectionName, { _id: articleKey(String(world.siteId), articleId) }],
    ['user by _id', UserModel.collection.collectionName, { _id: new Types.ObjectId(world.users[0].id) }],
  ];
  for (const [name, collection, filter] of shapes) {
    const plan = await explainPushedDownFilter(pg, mongoose.connection.name, collection, filter, { analyze: true });
    // The scans that read: "Bitmap Index Scan on <table>_<field>_gin_<hash>" is a GIN index at work.
    const scans = plan
      .filter((line) => /Index Scan|Seq Scan/.test(line))
      .map((line) => line.replace(/->/, '').replace(/\s+\(cost=.*$/, '').trim());
    const rows = /rows=(\d+) loops/.exec(plan[0])?.[1] ?? '?';
    const time = plan.find((line) => line.trim().startsWith('Execution Time'))?.trim() ?? '';
    console.log(`  EXPLAIN ${name.padEnd(38)} ${scans.join(' + ')}; ${rows} rows; ${time}   [backend: ${database.backend}]`);
  }
}

async function main(): Promise<void> {
  const dataDir = benchDataDir('scale');
  const logger = createLogger({ level: 'warn', name: 'bench-scale' });
  const database = await openDatabase({
    uri: process.env.MONGODB_URI,
    dataDir,
    prefer: benchLocalDb(),
    timeoutMs: 30_000,
    logger,
    dbName: `threadline_scale_${Date.now().toString(36)}`,
  });
  const backend = database.backend;
  const tag = `[backend: ${backend}]`;
  const services: BenchProcess[] = [];
  const launch = async (): Promise<BenchProcess> => {
    const service = await startService(database.uri, JWT_SECRET);
    services.push(service);
    return service;
  };
  const halt = async (service: BenchProcess): Promise<void> => {
    await service.stop();
    services.splice(services.indexOf(service), 1);
  };
  try {
    console.log(`backend: ${backend}; service in its own process over loopback HTTP; rate limits off`);
    const world = await createWorld();
    const small = Array.from({ length: 20 }, (_, i) => ({ articleId: `small-${i}`, count: 5 }));
    const big = { articleId: 'big-500', count: 500 };
    const medium = Array.from({ length: 49 }, (_, i) => ({ articleId: `medium-${i}`, count: 100 }));
    const smallIds = small.map((a) => a.articleId);
    const mediumIds = medium.map((a) => a.articleId);

    // 100 stored: the 20 small articles alone.
    // After each bulk load the database settles first (VACUUM ANALYZE, what autovacuum does within a
    // minute of one): otherwise autovacuum's pass over the fresh rows lands in whichever measurement runs then.
    const settle = async (): Promise<void> => {
      await database.postgresql?.query('VACUUM ANALYZE');
    };
    let stored = await seedArticles(world, small);
    await settle();
    let service = await launch();
    const firstRead100 = await firstReads(service, world, smallIds);
    console.log(`5-comment article, first read, ${stored} stored: p50 ${ms(firstRead100)}   ${tag}`);
    await halt(service);

    const rows: string[] = [];
    const figures = new Map<string, number>();
    const phase = async (label: string): Promise<void> => {
      await printPlans(database, world, big.articleId);
      service = await launch();
      const firstRead = await firstReads(service, world, smallIds);
      figures.set(`first-${label}`, firstRead);
      rows.push(
        `5-comment article, first read, ${label} stored: p50 ${ms(firstRead)} = ${(firstRead / firstRead100).toFixed(2)}x the read with 100 stored   ${tag}`,
      );
      const raw = await readAfterWrite(service, world, big.articleId);
      rows.push(`read right after a write, 500-comment article, ${label} stored: p50 ${ms(raw.p50)}, p99 ${ms(raw.p99)}   ${tag}`);
      const posts = await postsPerSecond(service, world, mediumIds);
      figures.set(`posts-${label}`, posts.perSecond);
      rows.push(
        `posts, ${CONNECTIONS} clients, ${label} stored: ${posts.perSecond.toFixed(0)}/s, p99 ${posts.p99} ms, ${posts.errors} errors, ` +
          `service CPU ${posts.cpuMsPerPost.toFixed(1)} ms per post (Node only)   ${tag}`,
      );
      for (const row of rows.splice(0)) console.log(row);
    };

    stored += await seedArticles(world, [big, ...medium]);
    await settle();
    await phase(stored.toLocaleString('en'));

    // Cached read against a bare process sending the same bytes; the soak; the cursor flood.
    const pageUrl = threadUrl(service, world, medium[0].articleId);
    const page = await timedGet(pageUrl);
    const bodyFile = path.join(dataDir, 'page.json');
    writeFileSync(bodyFile, page.body);
    const bare = await startBare(bodyFile);
    services.push(bare);
    const cached = await loadRead(pageUrl, 10);
    const bareRead = await loadRead(`${bare.url}/page`, 10);
    await halt(bare);
    console.log(
      `cached read (${page.body.length} bytes): ${cached.requests.average.toFixed(0)} req/s vs bare Express ${bareRead.requests.average.toFixed(0)} req/s` +
        ` = ${(cached.requests.average / bareRead.requests.average).toFixed(2)} of bare; p99 ${cached.latency.p99} ms   ${tag}`,
    );
    console.log(`soak, 10 connections on the 500-comment article, a write every second: ${await soak(service, world, big.articleId, mediumIds)}   ${tag}`);
    console.log(`cursor flood: ${await cursorFlood(service, world, medium[1].articleId)}   ${tag}`);
    await halt(service);

    // Grow to LARGE comments in other articles, then measure again in a fresh process.
    const fillerArticles = Math.ceil((LARGE - stored) / 100);
    const started = Date.now();
    const filler = Array.from({ length: fillerArticles }, (_, i) => ({ articleId: `filler-${i}`, count: Math.min(100, LARGE - stored - i * 100) }));
    stored += await seedArticles(world, filler);
    await settle();
    console.log(`seeded to ${stored.toLocaleString('en')} comments in ${((Date.now() - started) / 1000).toFixed(0)} s (driver batches of 1,000)`);
    await phase(stored.toLocaleString('en'));
    const p1 = figures.get('posts-5,500') ?? 0;
    const p2 = figures.get(`posts-${stored.toLocaleString('en')}`) ?? 0;
    console.log(`posts per second at ${stored.toLocaleString('en')} / at 5,500 stored: ${(p2 / p1).toFixed(2)}   ${tag}`);
  } finally {
    for (const service of services.splice(0)) await service.stop();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
