import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { toUserJson } from '../../src/accounts/userJson';
import { UserModel } from '../../src/accounts/user.model';
import { testApp, testConfig } from '../support/app';
import { createTestUser } from '../support/fixtures';

describe('accounts: session tokens, /me and logout', () => {
  const app = testApp();
  const secret = testConfig().JWT_SECRET;
  const me = (token: string) => request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);

  it('answers /me with the user, email included for its owner', async () => {
    const user = await createTestUser({ displayName: 'Owner' });
    const res = await me(user.token).expect(200);
    expect(res.body).to.deep.equal({
      id: user.id,
      displayName: 'Owner',
      email: user.email,
      role: 'commenter',
      emailVerified: true,
      banned: false,
    });
  });

  it('answers /me without a token with 401', async () => {
    await request(app).get('/api/v1/auth/me').expect(401);
  });

  it('refuses a tampered token', async () => {
    const user = await createTestUser();
    const [header, payload, signature] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    await me(`${header}.${forged}.${signature}`).expect(401);
    await me(`${header}.${payload}.${signature.slice(0, -2)}xx`).expect(401);
  });

  it('refuses an unsigned alg=none token', async () => {
    const user = await createTestUser();
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({ sub: user.id, role: 'admin', ver: 0, iss: 'threadline', iat: now, exp: now + 600 }),
    ).toString('base64url');
    await me(`${header}.${payload}.`).expect(401);
  });

  it('refuses a token signed with another algorithm or secret', async () => {
    const user = await createTestUser();
    const hs512 = jwt.sign({ role: 'commenter', ver: 0 }, secret, { algorithm: 'HS512', subject: user.id, issuer: 'threadline' });
    await me(hs512).expect(401);
    const otherSecret = jwt.sign({ role: 'commenter', ver: 0 }, 'x'.repeat(48), { algorithm: 'HS256', subject: user.id, issuer: 'threadline' });
    await me(otherSecret).expect(401);
  });

  it('refuses an expired token', async () => {
    const user = await createTestUser();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = jwt.sign({ role: 'commenter', ver: 0, iat: past - 900, exp: past }, secret, {
      algorithm: 'HS256',
      subject: user.id,
      issuer: 'threadline',
    });
    const res = await me(expired).expect(401);
    expect(res.body.detail).to.match(/expired/);
  });

  it('ends the session on logout: the same token is refused at once', async () => {
    const user = await createTestUser();
    await me(user.token).expect(200);
    await request(app).post('/api/v1/auth/logout').set('Authorization', `Bearer ${user.token}`).expect(204);
    await me(user.token).expect(401);
    await request(app).post('/api/v1/auth/logout').set('Authorization', `Bearer ${user.token}`).expect(401);
  });

  it('refuses the token of a user who was banned since it was issued', async () => {
    const user = await createTestUser();
    await UserModel.updateOne({ _id: user.id }, { $set: { banned: true, banReason: 'test' }, $inc: { tokenVersion: 1 } });
    await me(user.token).expect(401);
  });

  it('issues short-lived HS256 tokens', async () => {
    const user = await createTestUser();
    const decoded = jwt.decode(user.token, { complete: true });
    expect(decoded?.header.alg).to.equal('HS256');
    const payload = decoded?.payload as { exp: number; iat: number };
    expect(payload.exp - payload.iat).to.equal(testConfig().JWT_TTL_SECONDS);
  });

  it('shows email only to its owner, moderators and admins', () => {
    const stored = { _id: 'u1', displayName: 'Pat', email: 'pat@example.test', role: 'commenter' as const, emailVerified: true };
    expect(toUserJson(stored, null)).to.not.have.property('email');
    expect(toUserJson(stored, { id: 'u2', role: 'commenter' })).to.not.have.property('email');
    expect(toUserJson(stored, { id: 'u1', role: 'commenter' })).to.have.property('email', 'pat@example.test');
    expect(toUserJson(stored, { id: 'u3', role: 'moderator' })).to.not.have.property('email');
    expect(toUserJson(stored, { id: 'u4', role: 'admin' })).to.have.property('email');
    const timedBanOver = { ...stored, banned: true, bannedUntil: new Date(Date.now() - 1000) };
    expect(toUserJson(timedBanOver, null).banned).to.equal(false);
  });
});
