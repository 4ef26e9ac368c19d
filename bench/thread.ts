/**
 * How fast is one page of a 500-comment thread, next to a bare Express JSON endpoint served by the same
 * process? Seeds the thread, then runs autocannon against both and prints req/s, p50, p99 and the ratio.
 * Names the database backend it ran on (BENCH_BACKEND overrides what the database handle reports).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import express, { type Express } from 'express';
import { Types } from 'mongoose';
import { createApp } from '../src/app';
import { UserModel } from '../src/accounts/user.model';
import { CommentModel } from '../src/comments/comment.model';
import { renderComment } from '../src/comments/render';
import { loadConfig } from '../src/config/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/logging/logger';
import { SiteModel } from '../src/sites/site.model';

const THREAD_SIZE = 500;
const ROOTS = 120;
const PAGE_LIMIT = 100;
const MAX_DEPTH = 6;
const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

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

async function seedThread(articleId: string): Promise<string> {
  const random = seededRandom(42);
  const site = await SiteModel.create({ name: 'Bench Gazette', origins: ['https://bench.example'] });
  const users = await UserModel.insertMany(
    Array.from({ length: 25 }, (_, i) => ({ displayName: `Bench reader ${i}`, email: `bench-${i}@example.test` })),
  );
  interface Seeded {
    _id: Types.ObjectId;
    rootId: Types.ObjectId;
    ancestors: Types.ObjectId[];
    depth: number;
  }
  const seeded: Seeded[] = [];
  const docs = [];
  const start = Date.now() - THREAD_SIZE * 60_000;
  for (let i = 0; i < THREAD_SIZE; i += 1) {
    const _id = new Types.ObjectId();
    const candidates = seeded.filter((c) => c.depth < MAX_DEPTH);
    const parent = i < ROOTS || candidates.length === 0 ? null : candidates[Math.floor(random() * candidates.length)];
    const place: Seeded = parent
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
  return String(site._id);
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

async function measure(url: string): Promise<Measured> {
  await autocannon({ url, connections: CONNECTIONS, duration: 2 });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

function line(name: string, m: Measured): string {
  return `${name.padEnd(28)} ${m.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${m.p50} ms   p99 ${m.p99} ms${
    m.non2xx > 0 ? `   (${m.non2xx} non-2xx!)` : ''
  }`;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-thread-'));
  const logger = createLogger({ level: 'warn', name: 'bench' });
  const database = await openDatabase({
    uri: process.env.MONGODB_URI,
    dataDir,
    prefer: (process.env.LOCAL_DB as 'auto' | 'mongod' | 'ferretdb' | undefined) ?? 'auto',
    timeoutMs: 10_000,
    logger,
    dbName: `threadline_bench_${Date.now().toString(36)}`,
  });
  const backend = process.env.BENCH_BACKEND ?? database.backend;
  const servers: Server[] = [];
  try {
    const articleId = 'bench-thread';
    const siteId = await seedThread(articleId);
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'bench-only-secret-bench-only-secret-0123',
      PUBLIC_URL: 'http://threadline.bench',
      DATA_DIR: dataDir,
      RATE_LIMITS_ENABLED: 'false',
      LOG_LEVEL: 'silent',
    });
    const service = await listen(createApp({ config, logger: createLogger({ level: 'silent', name: 'bench-app' }) }));
    const bareApp = express();
    bareApp.get('/bare', (_req, res) => {
      res.json({ status: 'ok' });
    });
    const bare = await listen(bareApp);
    servers.push(service, bare);

    const threadUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}/api/v1/sites/${siteId}/articles/${articleId}/comments?sort=oldest&limit=${PAGE_LIMIT}`;
    const check = (await (await fetch(threadUrl)).json()) as { comments: unknown[]; total: number };
    console.log(`backend: ${backend}`);
    console.log(
      `thread: ${THREAD_SIZE} comments, ${ROOTS} roots, depth up to ${MAX_DEPTH}; page of ${check.comments.length} roots, total ${check.total}`,
    );
    console.log(`load: ${CONNECTIONS} connections, ${DURATION_SECONDS} s each after a 2 s warm-up`);

    const thread = await measure(threadUrl);
    const baseline = await measure(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/bare`);
    console.log(line('GET thread (100 roots)', thread));
    console.log(line('bare Express JSON', baseline));
    console.log(
      `ratio thread/bare: ${(thread.requestsPerSecond / baseline.requestsPerSecond).toFixed(3)} of the req/s, p99 ${
        baseline.p99 > 0 ? (thread.p99 / baseline.p99).toFixed(1) : 'n/a'
      }x  [backend: ${backend}]`,
    );
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
