import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import { startDedicatedFerretdb, spawnService, type DedicatedFerretdb, type ServiceProcess } from '../support/serviceProcess';

/*
 * The real service as a child process on a database of its own, which these tests crash, freeze and
 * restart under a write load, and finally a SIGTERM under load. Figures are printed for the report.
 */

const RESPONSE_BOUND_MS = 10_000;
const ADMIN_EMAIL = 'fault-admin@example.test';
const ADMIN_PASSWORD = 'fault-admin-passphrase-41';

interface Outcome {
  status: number;
  ms: number;
  /** Set when no HTTP answer came: the connection was refused, reset or timed out. */
  error?: string;
  body?: { id?: string };
}

/** One request on its own connection (no keep-alive), so a refused connection is told apart from a reset. */
function send(url: string, method: string, body: unknown, token?: string): Promise<Outcome> {
  const started = Date.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method,
        agent: false,
        timeout: 30_000,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: { id?: string } | undefined;
          try {
            parsed = text ? (JSON.parse(text) as { id?: string }) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, ms: Date.now() - started, body: parsed });
        });
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, ms: Date.now() - started, error: err.code ?? err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('TIMEOUT')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, ms: Date.now() - started, error: err.code ?? err.message }));
    req.end(payload);
  });
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts comments from `workers` parallel loops until stopped; collects every outcome. */
function startLoad(service: ServiceProcess, token: string, siteId: string, workers: number, tag: string) {
  const outcomes: Outcome[] = [];
  let running = true;
  let sequence = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      sequence += 1;
      const outcome = await send(
        `${service.url}/api/v1/sites/${siteId}/articles/fault-article/comments`,
        'POST',
        { body: `Load comment ${tag} number ${sequence}` },
        token,
      );
      outcomes.push(outcome);
      if (outcome.status !== 201) await delay(50);
    }
  });
  return {
    outcomes,
    created: () => outcomes.filter((o) => o.status === 201).length,
    async stop(): Promise<Outcome[]> {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await delay(200);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

const readyStatus = async (service: ServiceProcess): Promise<number> => (await send(`${service.url}/readyz`, 'GET', undefined)).status;

function summarize(label: string, outcomes: Outcome[]): { created: number; unavailable: number; other5xx: number; noAnswer: number; slowest: number } {
  const created = outcomes.filter((o) => o.status === 201).length;
  const unavailable = outcomes.filter((o) => o.status === 503).length;
  const other5xx = outcomes.filter((o) => o.status >= 500 && o.status !== 503).length;
  const noAnswer = outcomes.filter((o) => o.status === 0).length;
  const slowest = Math.max(0, ...outcomes.map((o) => o.ms));
  const otherCodes = outcomes.filter((o) => o.status >= 500 && o.status !== 503).map((o) => o.status);
  process.stdout.write(
    `    [faults] ${label}: ${outcomes.length} posts, ${created} x 201, ${unavailable} x 503, ${other5xx} other 5xx, ` +
      `${noAnswer} without answer, slowest ${slowest} ms${otherCodes.length ? ` (other: ${otherCodes.join(',')})` : ''}\n`,
  );
  return { created, unavailable, other5xx, noAnswer, slowest };
}

describe('faults: the real service against a database that dies, freezes and comes back', function () {
  this.timeout(180_000);
  let dataDir = '';
  let database: DedicatedFerretdb;
  let service: ServiceProcess;
  let token = '';
  let siteId = '';
  const acknowledgedIds: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-faults-'));
    database = await startDedicatedFerretdb(path.join(dataDir, 'db'));
    service = await spawnService({
      MONGODB_URI: database.uri,
      DB_TIMEOUT_MS: '1000',
      RATE_LIMITS_ENABLED: 'false',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      SHUTDOWN_TIMEOUT_MS: '15000',
      LOG_LEVEL: 'info',
    });
    const login = await send(`${service.url}/api/v1/auth/login`, 'POST', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(login.status, 'admin login').to.equal(200);
    token = (login.body as { token: string }).token;
    const site = await send(`${service.url}/api/v1/sites`, 'POST', { name: 'Fault Gazette', origins: ['https://fault.example'] }, token);
    expect(site.status, 'site creation').to.equal(201);
    siteId = String(site.body?.id);
  });

  after(async () => {
    await service?.stop();
    await database?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The kinds of error behind the service's 500 answers, from its own log, to name what was not turned into a 503. */
  const internalErrors = (): string[] => {
    const kinds = new Set<string>();
    for (const line of service.output().split('\n')) {
      if (!line.includes('"request failed"')) continue;
      try {
        const entry = JSON.parse(line) as { err?: { type?: string; message?: string } };
        kinds.add(`${entry.err?.type ?? '?'}: ${(entry.err?.message ?? '').slice(0, 160)}`);
      } catch {
        // not a log line
      }
    }
    return [...kinds];
  };

  afterEach(() => {
    const kinds = internalErrors();
    if (kinds.length > 0) process.stdout.write(`    [faults] database errors behind 5xx answers so far: ${kinds.join(' | ')}\n`);
  });

  let answered = 0;
  const answeredPosts = (): number => answered;
  const remember = (outcomes: Outcome[]): void => {
    answered += outcomes.filter((o) => o.status !== 0).length;
    for (const o of outcomes) if (o.status === 201 && o.body?.id) acknowledgedIds.push(o.body.id);
  };

  it('fails fast with 503 while the database is killed, and recovers when it restarts, without a service restart', async () => {
    const load = startLoad(service, token, siteId, 4, 'kill');
    await waitFor(async () => load.created() >= 5, 20_000, 'first posts');
    database.signal('SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => (await readyStatus(service)) === 503, RESPONSE_BOUND_MS, '/readyz 503 after the kill');
    await delay(3000);
    const duringOutage = load.outcomes.length;
    await database.restart();
    const readyAfterMs = await waitFor(async () => (await readyStatus(service)) === 200, 60_000, '/readyz 200 after restart');
    const createdBefore = load.created();
    await waitFor(async () => load.created() > createdBefore + 3, 30_000, 'posts after restart');
    const outcomes = await load.stop();
    remember(outcomes);

    const figures = summarize('database SIGKILL + restart', outcomes);
    process.stdout.write(
      `    [faults] outage: ${Date.now() - killedAt} ms from kill to end of load; ready ${readyAfterMs} ms after the restart; ` +
        `${duringOutage} posts answered by the restart\n`,
    );
    expect(figures.noAnswer, 'requests without an answer').to.equal(0);
    expect(figures.other5xx, '5xx other than 503').to.equal(0);
    expect(figures.unavailable, '503 during the outage').to.be.greaterThan(0);
    expect(figures.slowest).to.be.below(RESPONSE_BOUND_MS);
    expect(outcomes.every((o) => o.status === 201 || o.status === 503)).to.equal(true);
  });

  it('answers within a bounded time while the database is frozen (SIGSTOP), and recovers on SIGCONT', async () => {
    const load = startLoad(service, token, siteId, 4, 'pause');
    await waitFor(async () => load.created() >= 5, 20_000, 'first posts');
    database.signal('SIGSTOP');
    await waitFor(async () => (await readyStatus(service)) === 503, RESPONSE_BOUND_MS, '/readyz 503 while frozen');
    await delay(5000);
    database.signal('SIGCONT');
    const readyAfterMs = await waitFor(async () => (await readyStatus(service)) === 200, 60_000, '/readyz 200 after SIGCONT');
    const createdBefore = load.created();
    await waitFor(async () => load.created() > createdBefore + 3, 30_000, 'posts after SIGCONT');
    const outcomes = await load.stop();
    remember(outcomes);

    const figures = summarize('database SIGSTOP + SIGCONT', outcomes);
    process.stdout.write(`    [faults] ready ${readyAfterMs} ms after SIGCONT\n`);
    expect(figures.noAnswer).to.equal(0);
    expect(figures.other5xx).to.equal(0);
    expect(figures.unavailable).to.be.greaterThan(0);
    expect(figures.slowest).to.be.below(RESPONSE_BOUND_MS);
  });

  it('finishes accepted requests on SIGTERM under load, exits 0, and loses no acknowledged comment', async () => {
    const load = startLoad(service, token, siteId, 8, 'drain');
    await waitFor(async () => load.created() >= 10, 20_000, 'first posts');
    const signalledAt = Date.now();
    const exitCode = await service.stop();
    const drainMs = Date.now() - signalledAt;
    const outcomes = await load.stop();
    remember(outcomes);

    // A reset without any answer is a connection still in the listen backlog when the listener closed
    // (never accepted by the process) unless the service logged a request it did not finish.
    const resets = outcomes.filter((o) => o.status === 0 && o.error !== 'ECONNREFUSED');
    const logLines = service.output().split('\n');
    const aborted = logLines.filter((line) => line.includes('"request aborted"')).length;
    const completedPosts = logLines.filter(
      (line) => (line.includes('"request completed"') || line.includes('"request errored"')) && line.includes('"method":"POST"') && line.includes('/comments'),
    ).length;
    const refused = outcomes.filter((o) => o.error === 'ECONNREFUSED').length;
    const figures = summarize('SIGTERM under load', outcomes);
    process.stdout.write(
      `    [faults] SIGTERM: exit code ${exitCode}, drain ${drainMs} ms, ${refused} refused after close, ` +
        `${resets.length} reset before being accepted, ${aborted} accepted requests left unfinished; ` +
        `${completedPosts} posts logged as completed, ${answeredPosts()} answered\n`,
    );
    expect(exitCode).to.equal(0);
    expect(aborted, 'accepted requests left unfinished').to.equal(0);
    expect(completedPosts, 'every post the service finished reached its client').to.equal(answeredPosts());
    expect(figures.other5xx).to.equal(0);

    // Every comment that got a 201 in any of these tests is in the database.
    const connection = await mongoose.createConnection(database.uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
    try {
      const ids = acknowledgedIds.map((id) => new Types.ObjectId(id));
      let found = 0;
      for (let i = 0; i < ids.length; i += 200) {
        found += await connection.collection('comments').countDocuments({ _id: { $in: ids.slice(i, i + 200) } });
      }
      process.stdout.write(`    [faults] acknowledged ${acknowledgedIds.length} comments, found ${found} in the database\n`);
      expect(found).to.equal(acknowledgedIds.length);
      expect(acknowledgedIds.length).to.be.greaterThan(20);
    } finally {
      await connection.close();
    }
  });
});
