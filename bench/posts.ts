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
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import autocannon from 'autocannon';
import { Types } from 'mongoose';
import { signSessionToken } from '../src/accounts/tokens';
import { UserModel } from '../src/accounts/user.model';
import { ChangeEntryModel } from '../src/changes/feed';
import { CommentModel } from '../src/comments/comment.model';
import { renderComment } from '../src/comments/render';
import { SiteModel } from '../src/sites/site.model';
import { openBenchDatabase } from './support/benchService';
import { postingLoad, procStat, startService } from './support/serviceProcess';

const SECONDS = Number(process.env.BENCH_POST_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_POST_ROUNDS ?? 1);
const STORED = Number(process.env.BENCH_POSTS_STORED ?? 4_900);
const CLIENTS = 10;
const ARTICLES = 49;
const JWT_SECRET = randomBytes(48).toString('base64url');

interface ProcessCpu {
  pid: number;
  ppid: number;
  name: string;
  seconds: number;
}

/** Every process's name, parent and CPU seconds so far. */
function processes(): ProcessCpu[] {
  const found: ProcessCpu[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) found.push({ pid: Number(entry), ppid: stat.ppid, name: stat.name, seconds: stat.cpuSeconds });
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

  const service = await startService(database.uri, JWT_SECRET);
  try {
    const run = (seconds: number): Promise<autocannon.Result> =>
      postingLoad({ url: service.url, siteId: String(site._id), articleIds: articleIds.slice(0, ARTICLES), tokens, connections: CLIENTS, seconds });
    const feedHead = async (): Promise<number> =>
      (await ChangeEntryModel.find({}, { _id: 1 }).sort({ _id: -1 }).limit(1).lean<{ _id: number }[]>())[0]?._id ?? 0;
    const stored = (articleIds.length * 100).toLocaleString('en');
    console.log(`backend: ${backend}; ${stored} comments stored; ${CLIENTS} clients posting signed-in root comments across ${ARTICLES} articles; rate limits off`);
    await run(3);
    for (let round = 1; round <= ROUNDS; round += 1) {
      const before = descendantsCpu(service.child.pid ?? -1);
      const ownBefore = process.cpuUsage();
      const feedBefore = await feedHead();
      const result = await run(SECONDS);
      const after = descendantsCpu(service.child.pid ?? -1);
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
    await service.stop();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
