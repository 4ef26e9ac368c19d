/**
 * Live threads: what 1,000 open event streams on one instance cost, and how long an event takes to
 * reach all of them. Loopback only and bounded (BENCH_STREAMS, default 1,000).
 *
 * - Memory: RSS and heap of this process (clients and server share it) after opening the streams, per
 *   stream, beside the same number of streams from a bare Express SSE endpoint (the baseline) measured
 *   in the same run: the ratio is what the service adds per stream.
 * - Latency: BENCH_EVENTS changes are published on the change feed (what a comment write does once it
 *   lands); for each, the time until the last of the open streams received its event.
 * The backend is named beside each figure (the site lookup at connect time reads the database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express, { type Express } from 'express';
import { Types } from 'mongoose';
import { createApp } from '../src/app';
import { publishChange } from '../src/changes/feed';
import { loadConfig } from '../src/config/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/logging/logger';
import { SiteModel } from '../src/sites/site.model';

const STREAMS = Math.min(Number(process.env.BENCH_STREAMS ?? 1000), 5000);
const EVENTS = Math.min(Number(process.env.BENCH_EVENTS ?? 20), 200);

function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

interface Client {
  res: IncomingMessage;
  onData(listener: (text: string) => void): void;
}

/** Opens one stream and resolves once its first frame (the `ready` event, or any bytes) arrives. */
function openClient(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { Accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      const listeners: ((text: string) => void)[] = [];
      res.once('data', () => resolve({ res, onData: (l) => listeners.push(l) }));
      res.on('data', (text: string) => listeners.forEach((l) => l(text)));
    });
    req.on('error', reject);
  });
}

async function openMany(url: string, count: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 50) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => openClient(url)))));
  }
  return clients;
}

function memory(): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-live-'));
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
    const site = await SiteModel.create({ name: 'Live bench', origins: ['http://threadline.bench'] });
    const siteId = String(site._id);
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'bench-only-secret-bench-only-secret-0123',
      PUBLIC_URL: 'http://threadline.bench',
      DATA_DIR: dataDir,
      RATE_LIMITS_ENABLED: 'false',
      LOG_LEVEL: 'silent',
      LIVE_MAX_STREAMS: String(STREAMS + 10),
      LIVE_MAX_STREAMS_PER_IP: String(STREAMS + 10),
    });

    // Baseline: a bare SSE endpoint that only holds the connection open.
    const bare = express();
    bare.get('/bare', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write(': ok\n\n');
    });
    const bareServer = await listen(bare);
    servers.push(bareServer);
    const before = memory();
    const bareClients = await openMany(`http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bare`, STREAMS);
    const afterBare = memory();
    for (const client of bareClients) client.res.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));

    const service = await listen(createApp({ config, logger: createLogger({ level: 'silent', name: 'bench-app' }) }));
    servers.push(service);
    const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/api/v1/sites/${siteId}/articles/bench-live/events`;
    const beforeService = memory();
    const opened = Date.now();
    const clients = await openMany(url, STREAMS);
    const openMs = Date.now() - opened;
    const afterService = memory();

    const latencies: number[] = [];
    for (let i = 0; i < EVENTS; i += 1) {
      const commentId = String(new Types.ObjectId());
      let received = 0;
      const started = process.hrtime.bigint();
      const all = new Promise<void>((resolve) => {
        for (const client of clients) {
          let seen = false;
          client.onData((text) => {
            if (seen || !text.includes(commentId)) return;
            seen = true;
            received += 1;
            if (received === clients.length) resolve();
          });
        }
      });
      await publishChange({ type: 'comment.created', siteId, articleId: 'bench-live', commentId, status: 'approved' });
      await all;
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    latencies.sort((a, b) => a - b);
    const median = latencies[Math.floor(latencies.length / 2)];
    const p95 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))];

    const bareRss = (afterBare.rss - before.rss) / STREAMS;
    const serviceRss = (afterService.rss - beforeService.rss) / STREAMS;
    const bareHeap = (afterBare.heap - before.heap) / STREAMS;
    const serviceHeap = (afterService.heap - beforeService.heap) / STREAMS;
    console.log(`backend: ${backend}`);
    console.log(`open streams on one instance: ${clients.length} of ${STREAMS} asked (opened in ${openMs} ms)   [backend: ${backend}]`);
    console.log(
      `memory per open stream (client + server, one process): RSS ${kb(serviceRss)}, heap ${kb(serviceHeap)}; bare SSE baseline RSS ${kb(bareRss)}, heap ${kb(bareHeap)}; heap ratio ${(serviceHeap / Math.max(1, bareHeap)).toFixed(2)}x   [backend: ${backend}]`,
    );
    console.log(
      `event to all ${clients.length} streams after publish: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms over ${EVENTS} events (in-process feed; another instance adds its poll interval)   [backend: ${backend}]`,
    );
    for (const client of clients) client.res.destroy();
  } finally {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
