import { expect } from 'chai';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { testApp } from '../support/app';
import { linkTokenFrom, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { STRONG_PASSWORD, uniqueEmail } from './helpers';

describe('accounts: register, verify email, password sign-in', () => {
  let smtp: TestSmtpServer;
  let app: ReturnType<typeof testApp>;

  before(async () => {
    smtp = await startSmtpServer();
    app = testApp({ SMTP_URL: smtp.url, LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_FAILURE_WINDOW_SECONDS: '86400' });
  });
  after(() => smtp.close());

  const register = (body: Record<string, unknown>) => request(app).post('/api/v1/auth/register').send(body);

  it('registers, returns a session and mails a single-use verification link', async () => {
    const email = uniqueEmail();
    const res = await register({ email: email.toUpperCase(), password: STRONG_PASSWORD, displayName: 'Ada Reader' }).expect(201);
    expect(res.body.token).to.be.a('string');
    expect(res.body.user).to.deep.include({ displayName: 'Ada Reader', email, role: 'commenter', emailVerified: false, banned: false });
    const stored = await UserModel.findById(res.body.user.id).select('+passwordHash').lean();
    expect(stored?.passwordHash).to.match(/^\$argon2id\$/);

    const me = await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${res.body.token}`).expect(200);
    expect(me.body).to.deep.include({ id: res.body.user.id, email });

    const mail = smtp.lastTo(email);
    expect(mail.text).to.contain('http://threadline.test/#threadline-verify-email=');
    const token = linkTokenFrom(mail, 'threadline-verify-email');
    const verified = await request(app).post('/api/v1/auth/verify-email').send({ token }).expect(200);
    expect(verified.body.user).to.include({ id: res.body.user.id, emailVerified: true });
    const again = await request(app).post('/api/v1/auth/verify-email').send({ token }).expect(410);
    expect(again.body.detail).to.match(/already been used/);
  });

  it('refuses a second account for the same address with 409, whatever its case', async () => {
    const email = uniqueEmail();
    await register({ email, password: STRONG_PASSWORD, displayName: 'First' }).expect(201);
    const res = await register({ email: ` ${email.toUpperCase()} `, password: STRONG_PASSWORD, displayName: 'Second' }).expect(409);
    expect(res.body.status).to.equal(409);
  });

  it('refuses short, common, overlong and personal passwords with a 400 naming the field', async () => {
    for (const password of ['short-pw', 'password123', 'Password2024!', '1234567890', 'qwertyuiop', 'x'.repeat(257)]) {
      const res = await register({ email: uniqueEmail(), password, displayName: 'Weak' }).expect(400);
      expect(res.body.errors[0].path).to.equal('password');
    }
    const email = uniqueEmail('personalname');
    const res = await register({ email, password: email, displayName: 'Me' }).expect(400);
    expect(res.body.errors[0].path).to.equal('password');
  });

  it('refuses unknown fields, bad emails and empty names', async () => {
    await register({ email: uniqueEmail(), password: STRONG_PASSWORD, displayName: 'X', role: 'admin' }).expect(400);
    await register({ email: 'not-an-email', password: STRONG_PASSWORD, displayName: 'X' }).expect(400);
    await register({ email: uniqueEmail(), password: STRONG_PASSWORD, displayName: '   ' }).expect(400);
  });

  it('signs in with the right password and gives the same 401 for a wrong password and an unknown email', async () => {
    const email = uniqueEmail();
    await register({ email, password: STRONG_PASSWORD, displayName: 'Grace' }).expect(201);
    const ok = await request(app).post('/api/v1/auth/login').send({ email: email.toUpperCase(), password: STRONG_PASSWORD }).expect(200);
    expect(ok.body.user).to.include({ email, displayName: 'Grace' });
    await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${ok.body.token}`).expect(200);

    const wrong = await request(app).post('/api/v1/auth/login').send({ email, password: 'not-the-password-1' }).expect(401);
    const unknown = await request(app).post('/api/v1/auth/login').send({ email: uniqueEmail(), password: STRONG_PASSWORD }).expect(401);
    expect(wrong.body).to.deep.equal(unknown.body);
    expect(wrong.body.detail).to.equal('The email address or password is not correct.');
  });

  it('brakes an account after the configured failures with 429 and Retry-After, even for the right password', async () => {
    const email = uniqueEmail();
    await register({ email, password: STRONG_PASSWORD, displayName: 'Target' }).expect(201);
    for (let i = 0; i < 3; i += 1) {
      await request(app).post('/api/v1/auth/login').send({ email, password: `guess-number-${i}-xx` }).expect(401);
    }
    const braked = await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(429);
    expect(Number(braked.headers['retry-after'])).to.be.greaterThan(0);
    expect(Number(braked.headers['retry-after'])).to.be.at.most(86400);

    // The brake is per account: another account still signs in.
    const other = uniqueEmail();
    await register({ email: other, password: STRONG_PASSWORD, displayName: 'Other' }).expect(201);
    await request(app).post('/api/v1/auth/login').send({ email: other, password: STRONG_PASSWORD }).expect(200);
  });

  it('counts concurrent failures exactly: a burst of guesses cannot slip past the brake', async () => {
    const email = uniqueEmail();
    await register({ email, password: STRONG_PASSWORD, displayName: 'Burst' }).expect(201);
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => request(app).post('/api/v1/auth/login').send({ email, password: `parallel-guess-${i}` })),
    );
    expect(burst.every((r) => r.status === 401 || r.status === 429)).to.equal(true);
    await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(429);
  });

  it('brakes unknown addresses the same way, so the brake does not reveal which accounts exist', async () => {
    const email = uniqueEmail('nobody');
    for (let i = 0; i < 3; i += 1) {
      await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(401);
    }
    await request(app).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD }).expect(429);
  });

  it('brakes one client IP across accounts when rate limits are enabled', async () => {
    const limited = testApp({ SMTP_URL: smtp.url, RATE_LIMITS_ENABLED: 'true', LOGIN_MAX_FAILURES_PER_IP: '2', LOGIN_FAILURE_WINDOW_SECONDS: '86400' });
    const ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    for (let i = 0; i < 2; i += 1) {
      await request(limited).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: uniqueEmail(), password: STRONG_PASSWORD }).expect(401);
    }
    const braked = await request(limited).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: uniqueEmail(), password: STRONG_PASSWORD }).expect(429);
    expect(braked.headers['retry-after']).to.be.a('string');
  });

  it('does not brake IPs when rate limits are disabled', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 4; i += 1) {
      await request(app).post('/api/v1/auth/login').set('X-Forwarded-For', ip).send({ email: uniqueEmail(), password: STRONG_PASSWORD }).expect(401);
    }
  });
});
