import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { ChangeFeed, publishChange } from '../../src/changes/feed';
import { DeliveryModel, WebhookModel } from '../../src/webhooks/webhook.model';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker';
import { testApp, testLogger } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, post } from '../comments/helpers';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A loopback receiver that answers 500 to the first request of each message id, 200 afterwards. */
async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const answered = seen.has(id) ? 200 : 500;
      seen.add(id);
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.statusCode = answered;
      res.end(answered === 200 ? 'thanks' : 'try later');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The Standard Webhooks check, written out here rather than borrowed from the service. */
function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return String(headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('webhooks', () => {
  const app = testApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
  let admin: TestUser;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let worker: WebhookWorker;
  /** Stands for another instance, writing to the same change feed. */
  let other: ChangeFeed;

  before(async () => {
    other = new ChangeFeed();
    other.start();
    admin = await createTestUser({ role: 'admin' });
    receiver = await startReceiver();
    worker = startWebhookWorker({ logger: testLogger, allowPrivateTargets: true, retryDelaysMs: [300, 300], pollIntervalMs: 100 });
  });
  after(async () => {
    other.stop();
    await worker.stop();
    await receiver.close();
  });

  it('registers a webhook, shows its secret once, lists and deletes it (admin only)', async () => {
    const site = await createTestSite();
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
    const path = `/api/v1/sites/${site.id}/webhooks`;
    const denied = await request(app).post(path).set(...bearer(moderator)).send({ url: receiver.url, events: ['comment.created'] });
    expect(denied.status).to.equal(403);

    const created = await request(app).post(path).set(...bearer(admin)).send({ url: receiver.url, events: ['comment.created', 'user.banned'] });
    expect(created.status).to.equal(201);
    expect(created.body.secret).to.match(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.body).to.include({ url: receiver.url, siteId: site.id });

    const listed = await request(app).get(path).set(...bearer(admin));
    expect(listed.status).to.equal(200);
    expect(listed.body.items).to.have.length(1);
    expect(listed.body.items[0]).to.not.have.property('secret');
    expect(listed.body.items[0].events).to.deep.equal(['comment.created', 'user.banned']);

    expect((await request(app).delete(`${path}/${created.body.id}`).set(...bearer(admin))).status).to.equal(204);
    expect((await request(app).delete(`${path}/${created.body.id}`).set(...bearer(admin))).status).to.equal(404);
    expect((await request(app).get(path).set(...bearer(admin))).body.items).to.deep.equal([]);
  });

  it('refuses URLs that are not http(s), carry credentials, or (without the setting) point at loopback', async () => {
    const site = await createTestSite();
    const path = `/api/v1/sites/${site.id}/webhooks`;
    for (const url of ['ftp://hooks.example/x', 'javascript:alert(1)', 'http://user:pw@hooks.example/x', 'not a url']) {
      const res = await request(app).post(path).set(...bearer(admin)).send({ url, events: ['comment.created'] });
      expect(res.status, url).to.equal(400);
      expect(res.body.errors[0].path).to.equal('url');
    }
    const strict = testApp();
    for (const url of ['http://127.0.0.1:9/x', 'http://[::1]/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest', 'http://localhost/x']) {
      const res = await request(strict).post(path).set(...bearer(admin)).send({ url, events: ['comment.created'] });
      expect(res.status, url).to.equal(400);
    }
    const badEvent = await request(app).post(path).set(...bearer(admin)).send({ url: receiver.url, events: ['comment.voted'] });
    expect(badEvent.status).to.equal(400);
  });

  it('delivers signed events on a loopback server, retries after a 500, and logs the last answer', async () => {
    const site = await createTestSite();
    const otherSite = await createTestSite();
    const path = `/api/v1/sites/${site.id}/webhooks`;
    const created = await request(app).post(path).set(...bearer(admin)).send({ url: receiver.url, events: ['comment.approved', 'user.banned'] });
    expect(created.status).to.equal(201);
    const secret = created.body.secret as string;
    await request(app).post(`/api/v1/sites/${otherSite.id}/webhooks`).set(...bearer(admin)).send({ url: `${receiver.url}/other`, events: ['comment.approved'] });

    const author = await createTestUser();
    const comment = await post(app, author, site.id, 'hooked-article', 'A comment that other systems hear about');
    await publishChange({ type: 'comment.approved', siteId: site.id, articleId: 'hooked-article', commentId: comment.id, userId: author.id, status: 'approved', previousStatus: 'pending' });
    await publishChange({ type: 'comment.rejected', siteId: site.id, articleId: 'hooked-article', commentId: comment.id, status: 'rejected' });
    // A ban on every site, through the real endpoint: it reaches every webhook that wants user.banned.
    const banned = await request(app).post(`/api/v1/users/${author.id}/ban`).set(...bearer(admin)).send({ reason: 'spam run' });
    expect(banned.status).to.equal(200);

    const mine = (): Received[] => receiver.received.filter((entry) => entry.body.includes(site.id) || entry.body.includes(author.id));
    await until('both events delivered after a retry', () => (mine().filter((entry) => entry.answered === 200).length >= 2 ? true : undefined));

    const approved = mine().filter((entry) => JSON.parse(entry.body).type === 'comment.approved');
    expect(approved.map((entry) => entry.answered)).to.deep.equal([500, 200]);
    expect(approved[0].headers['webhook-id']).to.equal(approved[1].headers['webhook-id']);
    for (const entry of mine()) {
      expect(verify(secret, entry.headers, entry.body), 'signature').to.equal(true);
      expect(verify(`whsec_${Buffer.from('not the secret').toString('base64')}`, entry.headers, entry.body)).to.equal(false);
      expect(Math.abs(Number(entry.headers['webhook-timestamp']) - Date.now() / 1000)).to.be.below(120);
      expect(entry.headers['content-type']).to.equal('application/json');
    }
    const body = JSON.parse(approved[1].body);
    expect(body.data).to.include({ siteId: site.id, commentId: comment.id, status: 'approved', previousStatus: 'pending' });
    expect(body.data.comment).to.include({ id: comment.id, body: 'A comment that other systems hear about' });
    expect(approved[1].body).not.to.include(author.email);
    expect(mine().some((entry) => JSON.parse(entry.body).type === 'comment.rejected')).to.equal(false);
    expect(mine().every((entry) => entry.path === '/hooks')).to.equal(true);
    const ban = JSON.parse(mine().filter((entry) => entry.answered === 200).map((entry) => entry.body).find((text) => JSON.parse(text).type === 'user.banned') ?? '{}');
    expect(ban.data).to.deep.equal({ siteId: '*', userId: author.id });

    const log = await until('the delivery log to settle', async () => {
      const res = await request(app).get(`${path}/${created.body.id}/deliveries`).set(...bearer(admin));
      const items = res.body.items as { event: string; status: string }[];
      return items.length === 2 && items.every((item) => item.status === 'delivered') ? items : undefined;
    });
    for (const item of log) expect(item).to.deep.include({ status: 'delivered', attempts: 2, lastResponse: { status: 200, body: 'thanks', error: null } });
  });

  it("delivers to a webhook that another instance added, within a second or two of that instance's notice", async () => {
    const site = await createTestSite();
    const author = await createTestUser();
    // This instance learns that the site has no webhooks (and keeps that in memory).
    await post(app, author, site.id, 'added-elsewhere', 'Before any webhook.');
    // Another instance adds one, then publishes the notice through the shared log.
    const hook = await WebhookModel.create({
      siteId: site.id,
      url: `${receiver.url}/elsewhere`,
      events: ['comment.created'],
      secret: `whsec_${Buffer.from('a key written by another instance').toString('base64')}`,
    });
    other.publish({ type: 'webhooks.changed', siteId: site.id });
    const noticed = Date.now();
    let delivered = 0;
    for (let i = 0; i < 40 && delivered === 0; i += 1) {
      await post(app, author, site.id, 'added-elsewhere', `After the webhook, try ${i}.`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      delivered = await DeliveryModel.countDocuments({ webhookId: hook._id });
    }
    expect(delivered, 'deliveries stored for the new webhook').to.be.above(0);
    expect(Date.now() - noticed).to.be.below(2500);
    await until('the delivery to arrive', () => (receiver.received.some((entry) => entry.path === '/hooks/elsewhere') ? true : undefined));
  });

  it('gives up after the last retry and keeps the failure in the log', async () => {
    const site = await createTestSite();
    const path = `/api/v1/sites/${site.id}/webhooks`;
    const created = await request(app).post(path).set(...bearer(admin)).send({ url: 'http://127.0.0.1:1/closed', events: ['comment.flagged'] });
    await publishChange({ type: 'comment.flagged', siteId: site.id, commentId: '0123456789abcdef01234567' });
    const [item] = await until('the delivery to be abandoned', async () => {
      const res = await request(app).get(`${path}/${created.body.id}/deliveries`).set(...bearer(admin));
      const items = res.body.items as { status: string }[];
      return items.length === 1 && items[0].status === 'failed' ? items : undefined;
    });
    expect(item).to.deep.include({ attempts: 3 });
    expect(item).to.have.nested.property('lastResponse.error').that.is.a('string');
  });
});
