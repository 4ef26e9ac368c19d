import { expect } from 'chai';
import request from 'supertest';
import { OAuthStateModel } from '../../src/accounts/oauthState.model';
import { hashSecretToken } from '../../src/accounts/secretTokens';
import { IdentityModel, UserModel } from '../../src/accounts/user.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser } from '../support/fixtures';
import { startOAuthServer, type TestOAuthServer } from '../support/oauthServer';

interface PopupMessage {
  type: string;
  token?: string;
  error?: string;
  user?: { id: string; displayName: string; email?: string; emailVerified: boolean };
}

/** Reads the message and target origin out of the popup page's script. */
function popupResult(html: string): { message: PopupMessage; origin: string } {
  const match = /var message=(.*?);var origin=(.*?);/.exec(html);
  if (!match) throw new Error('no postMessage script in the page');
  return { message: JSON.parse(match[1]) as PopupMessage, origin: JSON.parse(match[2]) as string };
}

describe('accounts: Facebook sign-in over OAuth 2', () => {
  let oauth: TestOAuthServer;
  let app: ReturnType<typeof testApp>;
  let siteId: string;
  const returnTo = 'https://news.example/world/story-7?ref=home';

  before(async () => {
    oauth = await startOAuthServer();
    app = testApp(oauth.env);
    siteId = (await createTestSite({}, ['https://news.example'])).id;
  });
  after(() => oauth.close());

  /** Starts the flow in `agent`, lets the fake dialog approve it, and returns the callback path. */
  async function startAndApprove(agent: ReturnType<typeof request.agent>): Promise<string> {
    const start = await agent.get('/api/v1/auth/facebook').query({ siteId, returnTo }).expect(302);
    const dialog = new URL(start.headers.location);
    expect(`${dialog.origin}${dialog.pathname}`).to.equal(`${oauth.baseUrl}/dialog/oauth`);
    expect(dialog.searchParams.get('redirect_uri')).to.equal('http://threadline.test/api/v1/auth/facebook/callback');
    expect(dialog.searchParams.get('state')).to.match(/^[A-Za-z0-9_-]{40,}$/);
    const approved = await fetch(dialog, { redirect: 'manual' });
    expect(approved.status).to.equal(302);
    const callback = new URL(approved.headers.get('location') ?? '');
    return `${callback.pathname}${callback.search}`;
  }

  it('sets an httpOnly SameSite=Lax cookie bound to the state when starting', async () => {
    const res = await request(app).get('/api/v1/auth/facebook').query({ siteId, returnTo }).expect(302);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('threadline_fb_state='));
    expect(cookie).to.match(/HttpOnly/i);
    expect(cookie).to.match(/SameSite=Lax/i);
    expect(cookie).to.match(/Path=\/api\/v1\/auth\/facebook/);
    const state = new URL(res.headers.location).searchParams.get('state') ?? '';
    expect(cookie).to.not.contain(state);
  });

  it('creates the user, then hands a working token to the opener at the returnTo origin only', async () => {
    oauth.setProfile({ id: 'fb-1001', name: 'Farah Booker', email: 'farah.booker@example.test' });
    const agent = request.agent(app);
    const res = await agent.get(await startAndApprove(agent)).expect(200);
    expect(res.headers['content-type']).to.match(/^text\/html/);
    const nonce = /script-src 'nonce-([^']+)'/.exec(res.headers['content-security-policy'])?.[1];
    expect(nonce).to.be.a('string');
    expect(res.text).to.contain(`<script nonce="${nonce}">`);
    expect(res.headers['cross-origin-opener-policy']).to.equal('unsafe-none');
    expect(res.headers['cache-control']).to.contain('no-store');

    const { message, origin } = popupResult(res.text);
    expect(origin).to.equal('https://news.example');
    expect(message.type).to.equal('threadline:auth');
    expect(message.user).to.include({ displayName: 'Farah Booker', email: 'farah.booker@example.test', emailVerified: true });
    const me = await request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${message.token}`).expect(200);
    expect(me.body.id).to.equal(message.user?.id);
    expect(await IdentityModel.findById('facebook:fb-1001').lean()).to.not.equal(null);
    expect(await IdentityModel.findById('email:farah.booker@example.test').lean()).to.not.equal(null);

    // Signing in again finds the same user.
    const again = request.agent(app);
    const second = popupResult((await again.get(await startAndApprove(again)).expect(200)).text);
    expect(second.message.user?.id).to.equal(message.user?.id);
  });

  it('links to the existing account that has the same verified email', async () => {
    const existing = await createTestUser({ displayName: 'Already Here' });
    await IdentityModel.create({ _id: `email:${existing.email}`, userId: existing.id });
    oauth.setProfile({ id: 'fb-2002', name: 'Other Name', email: existing.email });
    const agent = request.agent(app);
    const { message } = popupResult((await agent.get(await startAndApprove(agent)).expect(200)).text);
    expect(message.user?.id).to.equal(existing.id);
    expect((await UserModel.findById(existing.id).lean())?.facebookId).to.equal('fb-2002');
  });

  it('creates an account without email when the profile has none', async () => {
    oauth.setProfile({ id: 'fb-3003', name: 'No Mail' });
    const agent = request.agent(app);
    const { message } = popupResult((await agent.get(await startAndApprove(agent)).expect(200)).text);
    expect(message.user).to.include({ displayName: 'No Mail', emailVerified: false });
    expect(message.user).to.not.have.property('email');
  });

  it('escapes everything it puts into the page', async () => {
    const hostile = '</script><script>alert(1)</script><!-- & \u2028';
    oauth.setProfile({ id: 'fb-4004', name: hostile });
    const agent = request.agent(app);
    const res = await agent.get(await startAndApprove(agent)).expect(200);
    expect(res.text).to.not.contain('<script>alert');
    expect(res.text.match(/<\/script>/g)).to.have.length(1);
    expect(popupResult(res.text).message.user?.displayName).to.equal(hostile.trim());
  });

  it('refuses a forged state with 403', async () => {
    const agent = request.agent(app);
    const path = await startAndApprove(agent);
    const forged = path.replace(/state=[^&]+/, 'state=forged-state-value-that-was-never-issued');
    await agent.get(forged).expect(403);
  });

  it('refuses a callback from a browser that did not start the flow (no cookie) with 403', async () => {
    const victim = request.agent(app);
    const attackerPath = await startAndApprove(request.agent(app));
    await victim.get(attackerPath).expect(403);
    await request(app).get(attackerPath).expect(403);
  });

  it('refuses a callback without state with 400, and a used or expired state with 400 even with its cookie', async () => {
    await request.agent(app).get('/api/v1/auth/facebook/callback?code=abc').expect(400);

    const agent = request.agent(app);
    const path = await startAndApprove(agent);
    const state = new URL(path, 'http://threadline.test').searchParams.get('state') ?? '';
    const cookie = `threadline_fb_state=${hashSecretToken(state)}`;
    await agent.get(path).expect(200);
    // The first use cleared the cookie; a replay carrying it by hand meets the used state.
    await agent.get(path).expect(403);
    const replay = await request(app).get(path).set('Cookie', cookie).expect(400);
    expect(replay.body.detail).to.match(/expired or was already completed/);

    const late = request.agent(app);
    const latePath = await startAndApprove(late);
    const lateState = new URL(latePath, 'http://threadline.test').searchParams.get('state') ?? '';
    await OAuthStateModel.updateOne({ _id: hashSecretToken(lateState) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await late.get(latePath).expect(400);
  });

  it('completes a state only once when the callback arrives twice at the same time', async () => {
    const agent = request.agent(app);
    const path = await startAndApprove(agent);
    const state = new URL(path, 'http://threadline.test').searchParams.get('state') ?? '';
    const cookie = `threadline_fb_state=${hashSecretToken(state)}`;
    const results = await Promise.all([0, 1, 2].map(() => request(app).get(path).set('Cookie', cookie)));
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 400, 400]);
  });

  it('tells the opener when the reader cancelled on Facebook', async () => {
    const agent = request.agent(app);
    const path = await startAndApprove(agent);
    const cancelled = path.replace(/code=[^&]+/, 'error=access_denied');
    const { message, origin } = popupResult((await agent.get(cancelled).expect(200)).text);
    expect(message).to.deep.equal({ type: 'threadline:auth', error: 'cancelled' });
    expect(origin).to.equal('https://news.example');
  });

  it('refuses a returnTo outside the site origins with 400 and no redirect', async () => {
    for (const foreign of [
      'https://attacker.example/',
      'https://news.example.attacker.example/',
      'http://news.example/',
      'javascript:alert(1)',
      '//attacker.example',
    ]) {
      const res = await request(app).get('/api/v1/auth/facebook').query({ siteId, returnTo: foreign }).expect(400);
      expect(res.headers.location).to.equal(undefined);
    }
    await request(app).get('/api/v1/auth/facebook').query({ siteId: '0123456789abcdef01234567', returnTo }).expect(400);
    await request(app).get('/api/v1/auth/facebook').query({ returnTo }).expect(400);
  });

  it('answers 503 saying Facebook sign-in is not configured when no app id is set', async () => {
    const plain = testApp();
    const res = await request(plain).get('/api/v1/auth/facebook').query({ siteId, returnTo }).expect(503);
    expect(res.body.detail).to.match(/Facebook sign-in is not configured/);
    await request(plain).get('/api/v1/auth/facebook/callback?code=x&state=y').expect(503);
  });
});
