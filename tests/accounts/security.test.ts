import { expect } from 'chai';
import type { Express } from 'express';
import { trusted } from 'mongoose';
import request from 'supertest';
import { OAuthStateModel } from '../../src/accounts/oauthState.model';
import { OneTimeTokenModel, SecretUseModel } from '../../src/accounts/oneTimeToken.model';
import { hashSecretToken } from '../../src/accounts/secretTokens';
import { UserModel } from '../../src/accounts/user.model';
import { sweepExpiredRecords } from '../../src/housekeeping/sweep';
import { ClaimModel } from '../../src/db/atomic';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { linkTokenFrom, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { STRONG_PASSWORD, uniqueEmail } from '../accounts/helpers';
import { bearer, post, threadPath } from '../comments/helpers';

describe('readers: security cases', () => {
  let smtp: TestSmtpServer;
  let app: Express;
  let author: TestUser;

  before(async () => {
    smtp = await startSmtpServer();
    app = testApp({ SMTP_URL: smtp.url, EMAIL_LINK_MAX_PER_ADDRESS: '2', LOGIN_FAILURE_WINDOW_SECONDS: '86400' });
    author = await createTestUser();
  });
  after(() => smtp.close());

  describe('unverified accounts', () => {
    it('may not vote or flag (403), while a verified account may', async () => {
      const site = await createTestSite();
      const comment = await post(app, author, site.id, 'verify-gate', 'A remark about the tide tables.');
      const unverified = await createTestUser({ emailVerified: false });
      const vote = await request(app).put(`/api/v1/comments/${comment.id}/vote`).set(...bearer(unverified)).send({ value: 1 });
      expect(vote.status).to.equal(403);
      expect(vote.body.detail).to.match(/verify/i);
      const flag = await request(app).post(`/api/v1/comments/${comment.id}/flags`).set(...bearer(unverified)).send({ reason: 'spam' });
      expect(flag.status).to.equal(403);

      const verified = await createTestUser();
      await request(app).put(`/api/v1/comments/${comment.id}/vote`).set(...bearer(verified)).send({ value: 1 }).expect(200);
      await request(app).post(`/api/v1/comments/${comment.id}/flags`).set(...bearer(verified)).send({ reason: 'spam' }).expect(201);
    });

    it('may post by default, but not where the site sets requireVerifiedEmail (guests neither)', async () => {
      const admin = await createTestUser({ role: 'admin' });
      const site = await createTestSite({ allowGuests: true });
      const unverified = await createTestUser({ emailVerified: false });
      await post(app, unverified, site.id, 'verify-post', 'Posting before confirming is allowed here.');

      const patched = await request(app)
        .patch(`/api/v1/sites/${site.id}/settings`)
        .set(...bearer(admin))
        .send({ requireVerifiedEmail: true })
        .expect(200);
      expect(patched.body.settings.requireVerifiedEmail).to.equal(true);

      const refused = await request(app)
        .post(threadPath(site.id, 'verify-post'))
        .set(...bearer(unverified))
        .send({ body: 'And now it is not.' });
      expect(refused.status).to.equal(403);
      expect(refused.body.detail).to.match(/verif/i);
      const guest = await request(app)
        .post(threadPath(site.id, 'verify-post'))
        .send({ body: 'A guest has no verified address.', guest: { name: 'Wanderer', email: uniqueEmail('guest') } });
      expect(guest.status).to.equal(403);
      await post(app, await createTestUser(), site.id, 'verify-post', 'A confirmed reader still posts.');
    });
  });

  describe('flag weight', () => {
    it('takes three flags from new accounts as one: they cannot hide a comment that two established readers could', async () => {
      const site = await createTestSite({ flagThreshold: 2 });
      const target = await post(app, author, site.id, 'flag-weight', 'An unpopular but fair opinion on parking.');
      for (let i = 0; i < 3; i += 1) {
        const fresh = await createTestUser({ accountAgeDays: 0 });
        await request(app).post(`/api/v1/comments/${target.id}/flags`).set(...bearer(fresh)).send({ reason: 'abuse' }).expect(201);
      }
      const thread = await request(app).get(threadPath(site.id, 'flag-weight')).expect(200);
      expect(thread.body.comments.map((c: { id: string }) => c.id), 'three new accounts weigh one flag').to.include(target.id);

      const established = await createTestUser({ accountAgeDays: 30 });
      await request(app).post(`/api/v1/comments/${target.id}/flags`).set(...bearer(established)).send({ reason: 'abuse' }).expect(201);
      const after = await request(app).get(threadPath(site.id, 'flag-weight')).expect(200);
      expect(after.body.comments.map((c: { id: string }) => c.id), '1 + 3 × 1/3 reaches 2').to.not.include(target.id);
    });
  });

  describe('pre-hijack', () => {
    it('confirming an address someone else registered clears their password and ends their sessions', async () => {
      const email = uniqueEmail('victim');
      const squatter = await request(app)
        .post('/api/v1/auth/register')
        .send({ email, password: STRONG_PASSWORD, displayName: 'Squatter' })
        .expect(201);
      const token = linkTokenFrom(smtp.lastTo(email), 'threadline-verify-email');
      // The address owner opens the mailed link in their own browser, without the squatter's session.
      const confirmed = await request(app).post('/api/v1/auth/verify-email').send({ token }).expect(200);
      expect(confirmed.body.user).to.include({ emailVerified: true });
      expect(confirmed.body.token, 'the address owner is signed in').to.be.a('string');

      await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${squatter.body.token}`).expect(401);
      await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(401);
      await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${confirmed.body.token}`).expect(200);
    });

    it('keeps the password when the registrant confirms while signed in to that account', async () => {
      const email = uniqueEmail('owner');
      const registered = await request(app)
        .post('/api/v1/auth/register')
        .send({ email, password: STRONG_PASSWORD, displayName: 'Owner' })
        .expect(201);
      const token = linkTokenFrom(smtp.lastTo(email), 'threadline-verify-email');
      await request(app)
        .post('/api/v1/auth/verify-email')
        .set('Authorization', `Bearer ${registered.body.token}`)
        .send({ token })
        .expect(200);
      await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(200);
    });
  });

  describe('mail cap', () => {
    it('counts +tag and (for dot-insensitive providers) dotted variants as one mailbox', async () => {
      const local = `cap${Date.now().toString(36)}`;
      const variants = [
        `${local}@gmail.com`,
        `${local}+news@gmail.com`,
        `${local.slice(0, 2)}.${local.slice(2)}@gmail.com`,
        `${local}+x@googlemail.com`,
      ];
      for (const email of variants) await request(app).post('/api/v1/auth/email-link').send({ email }).expect(202);
      const mailed = smtp.messages.filter((m) => m.to.some((to) => to.replace(/[.+]/g, '').includes(local)));
      expect(mailed).to.have.length(2);
    });
  });

  describe('expiry of one-time records', () => {
    it('removes expired links, OAuth states and claims in bounded batches, and an expired link is then unknown', async () => {
      const email = uniqueEmail('sweep');
      await request(app).post('/api/v1/auth/email-link').send({ email }).expect(202);
      const token = linkTokenFrom(smtp.lastTo(email), 'threadline-email-link');
      const id = hashSecretToken(token);
      const past = new Date(Date.now() - 60_000);
      await OneTimeTokenModel.updateOne({ _id: id }, { $set: { expiresAt: past } });
      await OAuthStateModel.create({ _id: `state-${id}`, siteId: 'x', returnTo: 'https://news.example/', returnOrigin: 'https://news.example', expiresAt: past });
      await SecretUseModel.create({ _id: `link:old-${id}`, at: new Date(Date.now() - 3 * 86_400_000) });
      await ClaimModel.create({ _id: `old-${id}:0`, at: new Date(Date.now() - 3 * 86_400_000) });
      const fresh = await SecretUseModel.create({ _id: `link:fresh-${id}`, at: new Date() });

      const removed = await sweepExpiredRecords({ batchSize: 500, maxBatches: 10 });
      expect(removed.oneTimeTokens).to.be.at.least(1);
      expect(await OneTimeTokenModel.exists({ _id: id })).to.equal(null);
      expect(await OAuthStateModel.exists({ _id: `state-${id}` })).to.equal(null);
      expect(await SecretUseModel.exists({ _id: `link:old-${id}` })).to.equal(null);
      expect(await ClaimModel.exists({ _id: `old-${id}:0` })).to.equal(null);
      expect(await SecretUseModel.exists({ _id: fresh._id }), 'a claim still in use stays').to.not.equal(null);
      await request(app).post('/api/v1/auth/email-link/verify').send({ token }).expect(400);
    });

    it('deletes at most batchSize × maxBatches records per run', async () => {
      const past = new Date(Date.now() - 60_000);
      const prefix = `bounded-${Date.now().toString(36)}`;
      const email = `${prefix}@example.test`;
      // Only these twelve are expired, so the counts below are theirs.
      await OneTimeTokenModel.deleteMany({ expiresAt: trusted({ $lt: new Date() }) });
      await OneTimeTokenModel.insertMany(
        Array.from({ length: 12 }, (_, i) => ({ _id: `${prefix}-${i}`, purpose: 'sign-in', email, expiresAt: past })),
      );
      const removed = await sweepExpiredRecords({ batchSize: 5, maxBatches: 2 });
      expect(removed.oneTimeTokens).to.equal(10);
      expect(await OneTimeTokenModel.countDocuments({ email })).to.equal(2);
      await sweepExpiredRecords({ batchSize: 5, maxBatches: 2 });
      expect(await OneTimeTokenModel.countDocuments({ email })).to.equal(0);
    });
  });

  describe('guests', () => {
    it('are marked as guests in thread JSON, and may not use an address that belongs to an account', async () => {
      const site = await createTestSite({ allowGuests: true });
      const taken = await request(app)
        .post(threadPath(site.id, 'guest-mark'))
        .send({ body: 'Pretending to be someone.', guest: { name: author.displayName, email: author.email.toUpperCase() } });
      expect(taken.status).to.equal(409);
      expect(taken.body.detail).to.match(/sign in/i);

      const res = await request(app)
        .post(threadPath(site.id, 'guest-mark'))
        .send({ body: 'Just passing through the harbour.', guest: { name: 'Passer-by', email: uniqueEmail('guest') } })
        .expect(201);
      expect(res.body.author).to.include({ id: null, displayName: 'Passer-by', guest: true });
      const signedIn = await post(app, author, site.id, 'guest-mark', 'A reader with an account.');
      expect(signedIn.author).to.include({ guest: false });
    });
  });

  describe('names', () => {
    const bad = ['Evil\u0000Name', 'gnp.\u202Eexe', 'Bidi\u2066isolate\u2069', 'Mark\u200Fer'];

    it('refuses NUL and bidirectional control characters in display names', async () => {
      for (const displayName of bad) {
        const res = await request(app)
          .post('/api/v1/auth/register')
          .send({ email: uniqueEmail('names'), password: STRONG_PASSWORD, displayName });
        expect(res.status, JSON.stringify(displayName)).to.equal(400);
        expect(res.body.errors[0].path).to.equal('displayName');
      }
    });

    it('refuses them in guest names', async () => {
      const site = await createTestSite({ allowGuests: true });
      for (const name of bad) {
        const res = await request(app)
          .post(threadPath(site.id, 'guest-names'))
          .send({ body: 'Hello from a guest.', guest: { name, email: uniqueEmail('guest') } });
        expect(res.status, JSON.stringify(name)).to.equal(400);
        expect(res.body.errors[0].path).to.equal('guest.name');
      }
    });
  });

  it('keeps test accounts established by default (fixture check)', async () => {
    const user = await createTestUser();
    const stored = await UserModel.findById(user.id).lean();
    expect(Date.now() - (stored?.createdAt?.getTime() ?? Date.now())).to.be.greaterThan(20 * 86_400_000);
  });
});
