import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

export interface FakeFacebookProfile {
  id: string;
  name: string;
  email?: string;
}

export interface TestOAuthServer {
  baseUrl: string;
  /** Settings for testApp() that point the Facebook strategy here. */
  env: Record<string, string>;
  /** The profile the next sign-in returns. */
  setProfile(profile: FakeFacebookProfile): void;
  close(): Promise<void>;
}

export const FAKE_APP_ID = 'test-app-id';
export const FAKE_APP_SECRET = 'test-app-secret';

/** A small stand-in for Facebook's OAuth 2 dialog, token endpoint and Graph `/me`, on a free local port. */
export async function startOAuthServer(): Promise<TestOAuthServer> {
  let profile: FakeFacebookProfile = { id: '1000', name: 'Fake Reader' };
  const codes = new Map<string, FakeFacebookProfile>();
  const accessTokens = new Map<string, FakeFacebookProfile>();
  const app = express();
  app.use(express.urlencoded({ extended: false }));

  app.get('/dialog/oauth', (req, res) => {
    const { client_id: clientId, redirect_uri: redirectUri, state } = req.query;
    if (clientId !== FAKE_APP_ID || typeof redirectUri !== 'string' || typeof state !== 'string') {
      res.status(400).json({ error: 'invalid_request' });
      return;
    }
    const code = randomBytes(12).toString('hex');
    codes.set(code, profile);
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', state);
    res.redirect(302, back.toString());
  });

  app.post('/oauth/access_token', (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    const owner = body.code ? codes.get(body.code) : undefined;
    if (!owner || body.client_id !== FAKE_APP_ID || body.client_secret !== FAKE_APP_SECRET) {
      res.status(400).json({ error: { message: 'invalid code', type: 'OAuthException' } });
      return;
    }
    codes.delete(body.code as string);
    const accessToken = randomBytes(12).toString('hex');
    accessTokens.set(accessToken, owner);
    res.json({ access_token: accessToken, token_type: 'bearer', expires_in: 3600 });
  });

  app.get('/me', (req, res) => {
    const header = req.headers.authorization ?? '';
    const fromQuery = typeof req.query.access_token === 'string' ? req.query.access_token : '';
    const token = header.replace(/^(Bearer|OAuth) /, '') || fromQuery;
    const owner = accessTokens.get(token);
    if (!owner) {
      res.status(401).json({ error: { message: 'invalid token', type: 'OAuthException' } });
      return;
    }
    res.json({ id: owner.id, name: owner.name, ...(owner.email ? { email: owner.email } : {}) });
  });

  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    env: {
      FACEBOOK_APP_ID: FAKE_APP_ID,
      FACEBOOK_APP_SECRET: FAKE_APP_SECRET,
      FACEBOOK_AUTHORIZATION_URL: `${baseUrl}/dialog/oauth`,
      FACEBOOK_TOKEN_URL: `${baseUrl}/oauth/access_token`,
      FACEBOOK_PROFILE_URL: `${baseUrl}/me`,
    },
    setProfile(next) {
      profile = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
