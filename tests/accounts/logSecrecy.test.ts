import { expect } from 'chai';
import request from 'supertest';
import { capturedLogText, testApp } from '../support/app';
import { createTestSite } from '../support/fixtures';
import { startOAuthServer, type TestOAuthServer } from '../support/oauthServer';
import { linkTokenFrom, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { STRONG_PASSWORD, uniqueEmail } from './helpers';

describe('accounts: no secret reaches the logs', () => {
  let smtp: TestSmtpServer;
  let oauth: TestOAuthServer;

  before(async () => {
    smtp = await startSmtpServer();
    oauth = await startOAuthServer();
  });
  after(async () => {
    await smtp.close();
    await oauth.close();
  });

  it('logs no password, session token, link token, OAuth code or state across every flow', async () => {
    const app = testApp({ SMTP_URL: smtp.url, ...oauth.env });
    const logStart = capturedLogText.length;
    const secrets: string[] = [];
    const email = uniqueEmail();
    const wrongPassword = 'incorrect-horse-battery-9';

    const registered = await request(app).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, displayName: 'Quiet' }).expect(201);
    secrets.push(STRONG_PASSWORD, registered.body.token, linkTokenFrom(smtp.lastTo(email), 'threadline-verify-email'));
    // Confirmed in the registering session, so the password stays (a confirmation elsewhere would clear it).
    const confirmed = await request(app)
      .post('/api/v1/auth/verify-email')
      .set('Authorization', `Bearer ${registered.body.token}`)
      .send({ token: secrets[2] })
      .expect(200);
    secrets.push(confirmed.body.token);

    await request(app).post('/api/v1/auth/login').send({ email, password: wrongPassword }).expect(401);
    secrets.push(wrongPassword);
    const login = await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(200);
    secrets.push(login.body.token);
    await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${login.body.token}`).expect(200);

    await request(app).post('/api/v1/auth/email-link').send({ email }).expect(202);
    const linkToken = linkTokenFrom(smtp.lastTo(email), 'threadline-email-link');
    const linked = await request(app).post('/api/v1/auth/email-link/verify').send({ token: linkToken }).expect(200);
    await request(app).post('/api/v1/auth/email-link/verify').send({ token: linkToken }).expect(410);
    secrets.push(linkToken, linked.body.token);
    await request(app).post('/api/v1/auth/logout').set('Authorization', `Bearer ${linked.body.token}`).expect(204);
    await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${linked.body.token}`).expect(401);

    const siteId = (await createTestSite({}, ['https://news.example'])).id;
    oauth.setProfile({ id: 'fb-quiet', name: 'Quiet Facebook', email: uniqueEmail('fbquiet') });
    const agent = request.agent(app);
    const start = await agent.get('/api/v1/auth/facebook').query({ siteId, returnTo: 'https://news.example/a' }).expect(302);
    const approved = await fetch(start.headers.location, { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location') ?? '');
    secrets.push(callback.searchParams.get('code') ?? 'missing-code', callback.searchParams.get('state') ?? 'missing-state');
    const page = await agent.get(`${callback.pathname}${callback.search}`).expect(200);
    secrets.push(/"token":"([^"]+)"/.exec(page.text)?.[1] ?? 'missing-token');

    // Mail disabled: the drop is logged, the link is not.
    const noMail = testApp();
    await request(noMail).post('/api/v1/auth/email-link').send({ email: uniqueEmail() }).expect(202);

    const written = capturedLogText.slice(logStart).join('');
    expect(written).to.contain('mail is disabled');
    expect(written).to.contain('signed in with an email link');
    for (const secret of secrets) {
      expect(secret.length).to.be.greaterThan(8);
      expect(written, 'a secret was logged').to.not.contain(secret);
    }
    expect(written).to.not.contain('#threadline-');
  });
});
