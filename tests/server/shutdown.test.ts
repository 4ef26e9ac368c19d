import http from 'node:http';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { spawnService, startDedicatedFerretdb, type DedicatedFerretdb, type ServiceProcess } from '../support/serviceProcess';

/*
 * SIGTERM while a handler is still writing for a client that has already hung up: that request holds
 * no socket, so waiting for connections alone let the database close under it.
 */

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: 'drain-admin@example.test', BOOTSTRAP_ADMIN_PASSWORD: 'drain-admin-passphrase-77' };
const ARTICLE = 'imported-story';
// Enough held authors that adopting the article (one mark each) outlasts the hang-up and the SIGTERM.
const HELD_AUTHORS = 800;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await delay(20);
  }
}

/** Sends a post and hangs up shortly after, without waiting for its answer. */
function postAndHangUp(url: string, body: unknown, token: string): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
    });
    req.on('error', () => undefined);
    req.on('response', () => {
      // Answered already: the test's last check tells that the post was not in flight at shutdown.
      req.destroy();
      resolve();
    });
    req.end(payload, () => {
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 150);
    });
  });
}

describe('shutdown while a handler runs for a client that hung up', function () {
  this.timeout(240_000);
  let dataDir = '';
  let database: DedicatedFerretdb;
  let service: ServiceProcess | null = null;

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-drain-'));
    chmodSync(dataDir, 0o755);
    database = await startDedicatedFerretdb(path.join(dataDir, 'db'));
  });

  after(async () => {
    await service?.stop();
    await database?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (): Promise<ServiceProcess> =>
    spawnService({ MONGODB_URI: database.uri, RATE_LIMITS_ENABLED: 'false', SHUTDOWN_TIMEOUT_MS: '15000', LOG_LEVEL: 'info', ...ADMIN });

  const login = async (url: string): Promise<string> => {
    const answer = await request(url)
      .post('/api/v1/auth/login')
      .send({ email: ADMIN.BOOTSTRAP_ADMIN_EMAIL, password: ADMIN.BOOTSTRAP_ADMIN_PASSWORD })
      .expect(200);
    return (answer.body as { token: string }).token;
  };

  it('finishes the post before closing the database: after a restart the comment, its count and its history are there', async () => {
    service = await start();
    let token = await login(service.url);
    const site = await request(service.url)
      .post('/api/v1/sites')
      .set('authorization', `Bearer ${token}`)
      .send({ name: 'Drain Gazette', origins: ['https://drain.example'] })
      .expect(201);
    const siteId = (site.body as { id: string }).id;

    // An article imported without its article document, with many readers' comments awaiting
    // moderation: the first post to it adopts the article, marking each of those authors first.
    const connection = await mongoose.createConnection(database.uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
    try {
      const now = new Date();
      const held = Array.from({ length: HELD_AUTHORS }, (_, i) => {
        const _id = new Types.ObjectId();
        return {
          _id,
          siteId: new Types.ObjectId(siteId),
          articleId: ARTICLE,
          parentId: null,
          rootId: _id,
          ancestors: [],
          depth: 0,
          author: { id: new Types.ObjectId(), displayName: `Reader ${i}`, guestEmail: null },
          body: `Held comment ${i}`,
          html: `<p>Held comment ${i}</p>`,
          status: 'pending',
          reasons: [],
          createdAt: now,
          updatedAt: now,
        };
      });
      for (let i = 0; i < held.length; i += 500) await connection.collection('comments').insertMany(held.slice(i, i + 500));
    } finally {
      await connection.close();
    }

    const text = 'Posted just before the service was told to stop.';
    await postAndHangUp(`${service.url}/api/v1/sites/${siteId}/articles/${ARTICLE}/comments`, { body: text }, token);
    // The service has seen the hang-up (its request line is logged when the connection closes).
    const running = service;
    await waitFor(() => /"method":"POST","path":"[^"]*\/comments"/.test(running.output()), 10_000, 'the hang-up');
    const exitCode = await running.stop();
    const output = running.output();
    service = null;
    expect(exitCode, output.slice(-3000)).to.equal(0);

    service = await start();
    token = await login(service.url);
    const thread = await request(service.url)
      .get(`/api/v1/sites/${siteId}/articles/${ARTICLE}/comments`)
      .set('authorization', `Bearer ${token}`)
      .expect(200);
    const mine = (thread.body as { comments: { id: string; body: string; status: string }[] }).comments.filter((c) => c.body === text);
    expect(mine, 'the post is in the thread after the restart').to.have.length(1);
    expect(mine[0].status).to.equal('approved');

    const counts = await request(service.url).get(`/api/v1/sites/${siteId}/counts?articles=${ARTICLE}`).expect(200);
    expect(counts.body).to.deep.equal({ [ARTICLE]: 1 });

    const history = await request(service.url)
      .get(`/api/v1/comments/${mine[0].id}/history`)
      .set('authorization', `Bearer ${token}`)
      .expect(200);
    expect((history.body as { actions: { action: string }[] }).actions.map((a) => a.action)).to.deep.equal(['created', 'auto-approved']);

    // Nothing was cut off by the database closing, and the post was still being handled when shutdown
    // began (else this test proves nothing).
    expect(output).not.to.contain('request failed');
    expect(output).to.contain('shutdown complete');
    expect(output).to.match(/"handlersInFlight":[1-9]\d*[^\n]*"shutting down/);
  });
});
