import { expect } from 'chai';
import request from 'supertest';
import { hashSecretToken } from '../../src/accounts/secretTokens';
import { OneTimeTokenModel } from '../../src/accounts/oneTimeToken.model';
import { IdentityModel, UserModel } from '../../src/accounts/user.model';
import { testApp } from '../support/app';
import { createTestSite } from '../support/fixtures';
import { linkTokenFrom, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { STRONG_PASSWORD, uniqueEmail } from './helpers';

describe('accounts: one-time email sign-in links', () => {
  let smtp: TestSmtpServer;
  let app: ReturnType<typeof testApp>;

  before(async () => {
    smtp = await startSmtpServer();
    app = testApp({ SMTP_URL: smtp.url, EMAIL_LINK_MAX_PER_ADDRESS: '3', LOGIN_FAILURE_WINDOW_SECONDS: '86400' });
  });
  after(() => smtp.close());

  async function requestLink(email: string, extra: Record<string, string> = {}): Promise<string> {
    await request(app).post('/api/v1/auth/email-link').send({ email, ...extra }).expect(202);
    return linkTokenFrom(smtp.lastTo(email), 'threadline-email-link');
  }

  it('creates the account on the first verified link, with the address verified and a name from it', async () => {
    const email = uniqueEmail('new.reader');
    const token = await requestLink(email);
    const stored = await OneTimeTokenModel.findById(hashSecretToken(token)).lean();
    expect(stored, 'only the hash is stored').to.not.equal(null);
    expect(await OneTimeTokenModel.exists({ _id: token })).to.equal(null);

    const res = await request(app).post('/api/v1/auth/email-link/verify').send({ token }).expect(200);
    expect(res.body.user).to.include({ email, emailVerified: true, role: 'commenter' });
    expect(res.body.user.displayName).to.match(/^new reader/);
    await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.token}`).expect(200);
    expect(await IdentityModel.findById(`email:${email}`).lean()).to.include({});
  });

  it('signs an existing account in, and refuses the same link a second time with 410', async () => {
    const email = uniqueEmail();
    const registered = await request(app).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, displayName: 'Linda' }).expect(201);
    const token = await requestLink(email);
    const first = await request(app).post('/api/v1/auth/email-link/verify').send({ token }).expect(200);
    expect(first.body.user.id).to.equal(registered.body.user.id);
    const second = await request(app).post('/api/v1/auth/email-link/verify').send({ token }).expect(410);
    expect(second.body.detail).to.match(/already been used/);
  });

  it('lets exactly one of several simultaneous uses of a link succeed', async () => {
    const token = await requestLink(uniqueEmail());
    const results = await Promise.all([0, 1, 2, 3, 4].map(() => request(app).post('/api/v1/auth/email-link/verify').send({ token })));
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 410, 410, 410, 410]);
  });

  it('refuses an expired link with 410 and an unknown one with 400', async () => {
    const token = await requestLink(uniqueEmail());
    await OneTimeTokenModel.updateOne({ _id: hashSecretToken(token) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await request(app).post('/api/v1/auth/email-link/verify').send({ token }).expect(410);
    expect(expired.body.detail).to.match(/expired/);
    const unknown = await request(app).post('/api/v1/auth/email-link/verify').send({ token: 'A'.repeat(43) }).expect(400);
    expect(unknown.body.detail).to.match(/not valid/);
    await request(app).post('/api/v1/auth/email-link/verify').send({ token: 'short' }).expect(400);
  });

  it('makes a link valid for 15 minutes', async () => {
    const before = Date.now();
    const token = await requestLink(uniqueEmail());
    const stored = await OneTimeTokenModel.findById(hashSecretToken(token)).lean();
    const ttl = (stored?.expiresAt.getTime() ?? 0) - before;
    expect(ttl).to.be.within(14 * 60 * 1000, 15 * 60 * 1000 + 5000);
  });

  it('does not accept a verification link as a sign-in link', async () => {
    const email = uniqueEmail();
    await request(app).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, displayName: 'Vera' }).expect(201);
    const verifyToken = linkTokenFrom(smtp.lastTo(email), 'threadline-verify-email');
    await request(app).post('/api/v1/auth/email-link/verify').send({ token: verifyToken }).expect(400);
  });

  it('answers 202 alike for known and unknown addresses', async () => {
    const known = uniqueEmail();
    await request(app).post('/api/v1/auth/register').send({ email: known, password: STRONG_PASSWORD, displayName: 'Kim' }).expect(201);
    const a = await request(app).post('/api/v1/auth/email-link').send({ email: known }).expect(202);
    const b = await request(app).post('/api/v1/auth/email-link').send({ email: uniqueEmail() }).expect(202);
    expect(a.text).to.equal(b.text);
  });

  it('stops mailing one address after the configured number of links, still answering 202', async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 5; i += 1) await request(app).post('/api/v1/auth/email-link').send({ email }).expect(202);
    expect(smtp.messages.filter((m) => m.to.includes(email))).to.have.length(3);
  });

  it('points the link at the article page when it lies under the site origins, and refuses a foreign one', async () => {
    const site = await createTestSite({}, ['https://news.example']);
    const email = uniqueEmail();
    await request(app)
      .post('/api/v1/auth/email-link')
      .send({ email, siteId: site.id, returnTo: 'https://news.example/politics/story-1' })
      .expect(202);
    expect(smtp.lastTo(email).text).to.contain('https://news.example/politics/story-1#threadline-email-link=');
    await request(app)
      .post('/api/v1/auth/email-link')
      .send({ email, siteId: site.id, returnTo: 'https://attacker.example/x' })
      .expect(400);
  });

  it('takes over an unverified registration for the address owner, dropping the squatter\'s password and sessions', async () => {
    const email = uniqueEmail('victim');
    const squatter = await request(app).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, displayName: 'Squatter' }).expect(201);
    const token = await requestLink(email);
    await request(app).post('/api/v1/auth/email-link/verify').send({ token }).expect(200);
    await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${squatter.body.token}`).expect(401);
    await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(401);
    const stored = await UserModel.findById(squatter.body.user.id).lean();
    expect(stored?.emailVerified).to.equal(true);
  });
});
