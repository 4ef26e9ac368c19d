import { expect } from 'chai';
import request from 'supertest';
import { cleanExpiredWindows, hitCounter } from '../../src/http/rateLimit';
import { RateLimitCounterModel } from '../../src/http/rateLimit.model';
import { testApp } from '../support/app';
import { createTestUser } from '../support/fixtures';

const ipBase = Math.floor(Math.random() * 60000);
let ipCounter = 0;
/** A client address of its own per test, so that counters of different tests (and runs) never meet. */
function freshIp(): string {
  ipCounter += 1;
  const n = ipBase + ipCounter;
  return `10.${Math.floor(n / 250) % 250}.${n % 250}.${ipCounter % 250}`;
}

const limited = (overrides: Record<string, string>) =>
  testApp({ RATE_LIMITS_ENABLED: 'true', RATE_LIMIT_WINDOW_SECONDS: '3600', ...overrides });

describe('shared rate limits', () => {
  it('answers 429 problem+json with Retry-After once sign-ins from one IP pass the limit', async () => {
    const app = limited({ RATE_LIMIT_SIGNIN_PER_IP: '2' });
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await request(app)
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: 'nobody@example.test', password: 'not-the-password' });
      statuses.push(res.status);
      if (i === 2) {
        expect(res.status).to.equal(429);
        expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
        expect(Number(res.headers['retry-after'])).to.be.within(1, 3600);
        expect(res.body).to.include({ status: 429, type: 'urn:threadline:problem:rate-limited' });
        expect(res.headers['ratelimit-remaining']).to.equal('0');
      }
    }
    expect(statuses.slice(0, 2)).to.not.include(429);
  });

  it('keeps the count in the database, so a second instance sees the first one\'s requests', async () => {
    const first = limited({ RATE_LIMIT_EMAIL_PER_IP: '2' });
    const second = limited({ RATE_LIMIT_EMAIL_PER_IP: '2' });
    const ip = freshIp();
    await request(first).post('/api/v1/auth/email-link').set('X-Forwarded-For', ip).send({ email: 'a@example.test' });
    await request(first).post('/api/v1/auth/email-link').set('X-Forwarded-For', ip).send({ email: 'a@example.test' });
    const third = await request(second)
      .post('/api/v1/auth/email-link')
      .set('X-Forwarded-For', ip)
      .send({ email: 'a@example.test' });
    expect(third.status).to.equal(429);

    const windowStart = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const counter = await RateLimitCounterModel.findById(`send-email:ip:${ip}:${windowStart}`).lean();
    expect(counter?.count).to.equal(3);
  });

  it('counts per signed-in user as well as per IP: one user braked does not brake another', async () => {
    const app = limited({ RATE_LIMIT_VOTES_PER_USER: '2', RATE_LIMIT_VOTES_PER_IP: '1000' });
    const ip = freshIp();
    const alice = await createTestUser();
    const bob = await createTestUser();
    const vote = (token: string) =>
      request(app)
        .put('/api/v1/comments/0123456789abcdef01234567/vote')
        .set('X-Forwarded-For', ip)
        .set('Authorization', `Bearer ${token}`)
        .send({ value: 1 });
    await vote(alice.token);
    await vote(alice.token);
    expect((await vote(alice.token)).status).to.equal(429);
    expect((await vote(bob.token)).status).to.not.equal(429);
  });

  it('brakes one IP even when it spreads requests over many accounts', async () => {
    const app = limited({ RATE_LIMIT_FLAGS_PER_USER: '100', RATE_LIMIT_FLAGS_PER_IP: '2' });
    const ip = freshIp();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const user = await createTestUser();
      const res = await request(app)
        .post('/api/v1/comments/0123456789abcdef01234567/flags')
        .set('X-Forwarded-For', ip)
        .set('Authorization', `Bearer ${user.token}`)
        .send({ reason: 'spam' });
      statuses.push(res.status);
    }
    expect(statuses[2]).to.equal(429);
    expect(statuses.slice(0, 2)).to.not.include(429);
  });

  it('limits comment posting per IP before the comments route runs', async () => {
    const app = limited({ RATE_LIMIT_COMMENTS_PER_IP: '1', RATE_LIMIT_COMMENTS_PER_USER: '1' });
    const ip = freshIp();
    const path = '/api/v1/sites/0123456789abcdef01234567/articles/some-article/comments';
    await request(app).post(path).set('X-Forwarded-For', ip).send({ body: 'first words here' });
    const second = await request(app).post(path).set('X-Forwarded-For', ip).send({ body: 'other words here' });
    expect(second.status).to.equal(429);
  });

  it('does nothing when RATE_LIMITS_ENABLED is false', async () => {
    const app = testApp({ RATE_LIMIT_SIGNIN_PER_IP: '1' });
    const ip = freshIp();
    for (let i = 0; i < 4; i += 1) {
      const res = await request(app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: 'x@example.test', password: 'y' });
      expect(res.status).to.not.equal(429);
    }
    expect(await RateLimitCounterModel.countDocuments({ _id: new RegExp(`^sign-in:ip:${ip.replace(/\./g, '\\.')}:`) })).to.equal(0);
  });

  it('admits at most the limit under a concurrent burst, then refuses, and cleans ended windows without a TTL index', async () => {
    const key = `burst-${Date.now()}`;
    const burst = await Promise.all(Array.from({ length: 20 }, () => hitCounter('test-bucket', key, 3600, 10)));
    const admittedPlaces = burst.map((hit) => hit.count).filter((count) => count <= 10);
    expect(admittedPlaces.length).to.be.within(1, 10);
    expect(new Set(admittedPlaces).size).to.equal(admittedPlaces.length);
    const afterwards: number[] = [];
    for (let i = 0; i < 10; i += 1) afterwards.push((await hitCounter('test-bucket', key, 3600, 10)).count);
    const admittedTotal = admittedPlaces.length + afterwards.filter((count) => count <= 10).length;
    expect(admittedTotal).to.be.at.most(10);
    expect(afterwards[afterwards.length - 1]).to.be.greaterThan(10);

    const later = Date.now() + 2 * 3_600_000;
    const cleaning = cleanExpiredWindows(later);
    expect(cleaning).to.not.equal(null);
    await cleaning;
    expect(await RateLimitCounterModel.countDocuments({ _id: new RegExp(`^test-bucket:${key}:`) })).to.equal(0);
  });
});
