/**
 * How many database operations does one post cost? Opens the configured database (the embedded
 * default unless MONGODB_URI is set), then posts signed-in comments (roots, then replies) one at a
 * time and counts the operations mongoose sends for each (the rate-limit and duplicate-post brakes are
 * off, so only the comment path is counted; the session's user and site bans are remembered in process
 * after the first request, so they show only in the first post; the change feed's timed polls are not counted). Also counts a cached thread read,
 * a vote (each by a different reader, on one approved comment) and a moderator's approval of a held comment.
 * What every change reaches in the service is running too, as there (webhook deliveries, reply
 * notifications); their timed work (sending due deliveries and digests) is not.
 * Run: npm run bench:roundtrips
 */
import { rmSync } from 'node:fs';
import mongoose from 'mongoose';
import request from 'supertest';
import { signSessionToken } from '../src/accounts/tokens';
import { UserModel } from '../src/accounts/user.model';
import { CommentModel } from '../src/comments/comment.model';
import { SiteModel } from '../src/sites/site.model';
import { createLogger } from '../src/logging/logger';
import { startNotifications } from '../src/notifications/digest';
import { startWebhookWorker } from '../src/webhooks/worker';
import { BENCH_JWT_SECRET, benchApp, benchConfig, openBenchDatabase } from './support/benchService';

const POSTS = Number(process.env.BENCH_POSTS ?? 20);

async function counted(work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  mongoose.set('debug', (collection: string, method: string) => {
    // The change feed's poll runs on a timer whatever the requests do: not part of a post.
    if (!(collection === 'changefeed' && method === 'findOne')) seen.push(`${collection}.${method}`);
  });
  try {
    await work();
    // Background writes started by the request (the change feed's entry) are counted too.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    mongoose.set('debug', false);
  }
  return seen;
}

function summary(label: string, runs: string[][], backend: string): string {
  const mean = runs.reduce((sum, ops) => sum + ops.length, 0) / runs.length;
  const example = runs[runs.length - 1].join(', ');
  return `${label.padEnd(34)} ${mean.toFixed(1).padStart(5)} operations  [backend: ${backend}]\n    e.g. ${example}`;
}

async function main(): Promise<void> {
  const { dataDir, database, backend } = await openBenchDatabase('trips');
  let stopListeners = async (): Promise<void> => undefined;
  try {
    const app = benchApp(dataDir);
    const silent = createLogger({ level: 'silent', name: 'bench-listeners' });
    // Listeners only: their timers are set an hour apart, so no timed sweep falls inside a count.
    const webhooks = startWebhookWorker({ logger: silent, allowPrivateTargets: false, pollIntervalMs: 3_600_000 });
    const stopNotifications = startNotifications(benchConfig(dataDir, { NOTIFY_FLUSH_SECONDS: '3600' }), silent);
    stopListeners = async () => {
      stopNotifications();
      await webhooks.stop();
    };
    const site = await SiteModel.create({ name: 'Round trips', origins: ['https://trips.example'] });
    const user = await UserModel.create({ displayName: 'Counter', email: 'trips@example.test' });
    const token = signSessionToken({ sub: String(user._id), role: 'commenter', ver: 0 }, BENCH_JWT_SECRET, 900);
    const thread = `/api/v1/sites/${String(site._id)}/articles/trips/comments`;
    const roots: string[][] = [];
    const replies: string[][] = [];
    let parentId = '';
    // The first post of an article creates its document: counted apart.
    const first = await counted(async () => {
      const res = await request(app).post(thread).set('Authorization', `Bearer ${token}`).send({ body: 'The first one.' });
      parentId = (res.body as { id: string }).id;
    });
    for (let i = 0; i < POSTS; i += 1) {
      roots.push(await counted(() => request(app).post(thread).set('Authorization', `Bearer ${token}`).send({ body: `Root ${i}.` })));
    }
    for (let i = 0; i < POSTS; i += 1) {
      replies.push(
        await counted(() => request(app).post(thread).set('Authorization', `Bearer ${token}`).send({ body: `Reply ${i}.`, parentId })),
      );
    }
    // A guest's post is held for moderation: it takes a place in the queue and is offered to moderators.
    const open = await SiteModel.create({ name: 'Guests welcome', origins: ['https://guests.example'], settings: { allowGuests: true } });
    const guestThread = `/api/v1/sites/${String(open._id)}/articles/trips/comments`;
    await request(app).post(guestThread).send({ body: 'The first guest.', guest: { name: 'Guest', email: 'guest-0@example.test' } });
    const guests: string[][] = [];
    for (let i = 0; i < POSTS; i += 1) {
      guests.push(
        await counted(() =>
          request(app)
            .post(guestThread)
            .send({ body: `Guest ${i}.`, guest: { name: `Guest ${i}`, email: `guest-${i + 1}@example.test` } })
            .then((res) => {
              if (res.status !== 201) throw new Error(`guest post: ${res.status} ${JSON.stringify(res.body)}`);
            }),
        ),
      );
    }
    await request(app).get(thread);
    const hits: string[][] = [];
    for (let i = 0; i < 5; i += 1) hits.push(await counted(() => request(app).get(thread)));
    const sign = (id: unknown, role: 'commenter' | 'moderator') =>
      signSessionToken({ sub: String(id), role, ver: 0 }, BENCH_JWT_SECRET, 900);
    const votes: string[][] = [];
    for (let i = 0; i < POSTS; i += 1) {
      const voter = await UserModel.create({ displayName: `Voter ${i}`, email: `voter${i}@example.test`, emailVerified: true });
      // The voter's session is read once before counting, as for the poster above.
      await request(app).get(thread).set('Authorization', `Bearer ${sign(voter._id, 'commenter')}`);
      votes.push(
        await counted(() =>
          request(app)
            .put(`/api/v1/comments/${parentId}/vote`)
            .set('Authorization', `Bearer ${sign(voter._id, 'commenter')}`)
            .send({ value: 1 })
            .then((res) => {
              if (res.status !== 200) throw new Error(`vote: ${res.status} ${JSON.stringify(res.body)}`);
            }),
        ),
      );
    }
    const moderator = await UserModel.create({
      displayName: 'Moderator',
      email: 'moderator@example.test',
      role: 'moderator',
      moderatedSiteIds: [site._id],
    });
    const moderatorToken = sign(moderator._id, 'moderator');
    const decisions: string[][] = [];
    for (let i = 0; i < POSTS; i += 1) {
      const held = await CommentModel.create({
        siteId: site._id,
        articleId: 'trips',
        author: { id: user._id, displayName: 'Counter' },
        body: `Held ${i}.`,
        html: `<p>Held ${i}.</p>`,
        status: 'pending',
      });
      if (i === 0) await request(app).get(`/api/v1/sites/${String(site._id)}/moderation/queue`).set('Authorization', `Bearer ${moderatorToken}`);
      decisions.push(
        await counted(() =>
          request(app)
            .post(`/api/v1/comments/${String(held._id)}/approve`)
            .set('Authorization', `Bearer ${moderatorToken}`)
            .send({})
            .then((res) => {
              if (res.status !== 200) throw new Error(`approve: ${res.status} ${JSON.stringify(res.body)}`);
            }),
        ),
      );
    }
    process.stdout.write(`${summary('first post of an article', [first], backend)}\n`);
    process.stdout.write(`${summary('post, signed in, root', roots, backend)}\n`);
    process.stdout.write(`${summary('post, signed in, reply', replies, backend)}\n`);
    process.stdout.write(`${summary('post, guest (held)', guests, backend)}\n`);
    process.stdout.write(`${summary('thread read, cached, anonymous', hits, backend)}\n`);
    process.stdout.write(`${summary('vote', votes, backend)}\n`);
    process.stdout.write(`${summary('approval of a held comment', decisions, backend)}\n`);
  } finally {
    await stopListeners();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
