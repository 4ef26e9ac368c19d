/**
 * Where a post's CPU goes. Seeds 49 articles of 100 comments and 50 readers, starts the real service
 * (src/server.ts in its own process, over loopback HTTP, rate limits off), and has 10 clients post
 * signed-in root comments across the 49 articles for BENCH_POST_SECONDS (default 10) after 3 s of
 * warm-up, BENCH_POST_ROUNDS times (default 1). BENCH_POSTS_STORED (default 4,900) grows the database
 * first with filler articles of 100 that nobody posts to (e.g. 100000). Prints posts per second, latency, and the CPU per post
 * of each process: the service (Node), FerretDB, PostgreSQL, and this load generator; and how many
 * change-feed entries a post cost. The figures name the backend; compare versions within one run only.
 * Run: npm run bench posts
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { signSessionToken } from '../src/accounts/tokens';
import { NAME_KEYS_BACKFILLED } from '../src/accounts/nameKeysBackfill';
import { UserModel } from '../src/accounts/user.model';
import { ChangeEntryModel } from '../src/changes/feed';
import { CommentModel } from '../src/comments/comment.model';
import { renderComment } from '../src/comments/render';
import { freePort } from '../src/db/localServer';
import { QueueCounterModel } from '../src/moderation/queuePlaces';
import { SiteModel } from '../src/sites/site.model';
import { openBenchDatabase } from './support/benchService';

const SECONDS = Number(process.env.BENCH_POST_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_POST_ROUNDS ?? 1);
const STORED = Number(process.env.BENCH_POSTS_STORED ?? 4_900);
const CLIENTS = 10;
const ARTICLES = 49;
const JWT_SECRET = randomBytes(48).toString('base64url');
const repositoryRoot = path.resolve(__dirname, '..');
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface ProcessCpu {
  pid: number;
  ppid: number;
  name: string;
  seconds: number;
}

/** Every process's name, parent and CPU seconds so far (Linux /proc). */
function processes(): ProcessCpu[] {
  const found: ProcessCpu[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      found.push({ pid: Number(entry), ppid: Number(fields[1]), name, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** CPU seconds of this process's descendants, summed by kind: the service, FerretDB, PostgreSQL. */
function descendantsCpu(servicePid: number): Map<string, number> {
  const all = processes();
  const children = new Map<number, ProcessCpu[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const sums = new Map<string, number>();
  const kindOf = (p: ProcessCpu): string =>
    p.pid === servicePid ? 'service (Node)' : p.name.startsWith('ferretdb') ? 'FerretDB' : p.name.startsWith('postgres') ? 'PostgreSQL' : 'other';
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      const kind = kindOf(child);
      if (kind !== 'other') sums.set(kind, (sums.get(kind) ?? 0) + child.seconds);
      walk(child.pid);
    }
  };
  walk(process.pid);
  return sums;
}

async function main(): Promise<void> {
  const { dataDir, database, backend } = await openBenchDatabase('posts', 30_000);
  const tag = `[backend: ${backend}]`;
  const site = await SiteModel.create({ name: 'Posting Gazette', origins: ['https://posting.example'] });
  const users = await UserModel.insertMany(
    Array.from({ length: 50 }, (_, i) => ({ displayName: `Poster ${i}`, email: `poster-${i}@example.test`, emailVerified: true })),
  );
  const tokens = users.map((user) => signSessionToken({ sub: String(user._id), role: 'commenter', ver: user.tokenVersion ?? 0 }, JWT_SECRET, 3600));
  const { html } = renderComment('An earlier comment on this story.');
  const articleIds = [
    ...Array.from({ length: ARTICLES }, (_, a) => `story-${a}`),
    ...Array.from({ length: Math.max(0, Math.ceil(STORED / 100) - ARTICLES) }, (_, a) => `filler-${a}`),
  ];
  for (const [a, articleId] of articleIds.entries()) {
    const seeded = Array.from({ length: 100 }, (_, i) => {
      const _id = new Types.ObjectId();
      const author = users[(a + i) % users.length];
      return new CommentModel({ _id, rootId: _id, siteId: site._id, articleId, author: { id: author._id, displayName: author.displayName }, authorId: author._id, body: 'An earlier comment on this story.', html, status: 'approved' }).toObject();
    });
    await CommentModel.collection.insertMany(seeded, { ordered: false });
  }
  await database.postgresql?.query('VACUUM ANALYZE');

  const port = await freePort();
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/server.ts'], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      PUBLIC_URL: 'http://threadline.bench',
      JWT_SECRET,
      MONGODB_URI: database.uri,
      RATE_LIMITS_ENABLED: 'false',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let waited = 0; ; waited += 200) {
      if (waited > 120_000 || child.exitCode !== null) throw new Error('the service did not become healthy');
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // not yet
      }
      await delay(200);
    }
    // The start-up backfills read every comment once: measured after them, not during.
    const backfillStarted = Date.now();
    while (!(await QueueCounterModel.exists({ _id: NAME_KEYS_BACKFILLED }))) {
      if (child.exitCode !== null) throw new Error('the service exited');
      await delay(500);
    }
    console.log(`start-up backfills done ${((Date.now() - backfillStarted) / 1000).toFixed(0)} s after the service was healthy`);
    let n = 0;
    const run = (seconds: number): Promise<autocannon.Result> =>
      autocannon({
        url,
        connections: CLIENTS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            setupRequest: (req) => {
              n += 1;
              return {
                ...req,
                path: `/api/v1/sites/${String(site._id)}/articles/story-${n % ARTICLES}/comments`,
                headers: { authorization: `Bearer ${tokens[n % tokens.length]}`, 'content-type': 'application/json' },
                body: JSON.stringify({ body: `Posted comment number ${n} of the run.` }),
              };
            },
          },
        ],
      });
    const feedHead = async (): Promise<number> =>
      (await ChangeEntryModel.find({}, { _id: 1 }).sort({ _id: -1 }).limit(1).lean<{ _id: number }[]>())[0]?._id ?? 0;
    const stored = (articleIds.length * 100).toLocaleString('en');
    console.log(`backend: ${backend}; ${stored} comments stored; ${CLIENTS} clients posting signed-in root comments across ${ARTICLES} articles; rate limits off`);
    await run(3);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const before = descendantsCpu(child.pid ?? -1);
      const ownBefore = process.cpuUsage();
      const feedBefore = await feedHead();
      const result = await run(SECONDS);
      const after = descendantsCpu(child.pid ?? -1);
      const own = process.cpuUsage(ownBefore);
      const posted = result['2xx'];
      const perPost = (seconds: number): string => `${((seconds * 1000) / Math.max(1, posted)).toFixed(2)} ms`;
      const split = [...after].map(([kind, seconds]) => `${kind} ${perPost(seconds - (before.get(kind) ?? 0))}`);
      split.push(`load generator ${perPost((own.user + own.system) / 1e6)}`);
      console.log(
        `round ${round}: ${(posted / SECONDS).toFixed(0)} posts/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ` +
          `${result.non2xx + result.errors} failed; CPU per post: ${split.join(', ')}; ` +
          `change-feed entries per post ${(((await feedHead()) - feedBefore) / Math.max(1, posted)).toFixed(2)}   ${tag}`,
      );
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
