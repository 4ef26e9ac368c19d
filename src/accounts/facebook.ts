import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as FacebookStrategy, type Profile } from 'passport-facebook';
import type { Config } from '../config/config';
import { HttpProblem, badRequest, forbidden } from '../http/problem';
import type { Logger } from '../logging/logger';
import { signInWithFacebook } from './accountService';
import { toAuthUser } from './authenticate';
import { OAuthStateModel } from './oauthState.model';
import { claimSecretUse } from './oneTimeToken.model';
import { hashSecretToken, newSecretToken, sameSecret } from './secretTokens';

export const FACEBOOK_STATE_COOKIE = 'threadline_fb_state';
const STATE_TTL_SECONDS = 10 * 60;
const COOKIE_PATH = '/api/v1/auth/facebook';

export const facebookNotConfigured = (): HttpProblem =>
  new HttpProblem(503, 'Service Unavailable', 'Facebook sign-in is not configured on this server.', {
    slug: 'facebook-not-configured',
  });

/** A passport instance of its own, so that apps built with different settings do not share strategies. */
export function createFacebookPassport(config: Config, logger: Logger): InstanceType<typeof Passport> | null {
  if (!config.FACEBOOK_APP_ID || !config.FACEBOOK_APP_SECRET) return null;
  const passport = new Passport();
  passport.use(
    'facebook',
    new FacebookStrategy(
      {
        clientID: config.FACEBOOK_APP_ID,
        clientSecret: config.FACEBOOK_APP_SECRET,
        callbackURL: `${config.PUBLIC_URL}/api/v1/auth/facebook/callback`,
        ...(config.FACEBOOK_AUTHORIZATION_URL ? { authorizationURL: config.FACEBOOK_AUTHORIZATION_URL } : {}),
        ...(config.FACEBOOK_TOKEN_URL ? { tokenURL: config.FACEBOOK_TOKEN_URL } : {}),
        ...(config.FACEBOOK_PROFILE_URL ? { profileURL: config.FACEBOOK_PROFILE_URL } : {}),
        profileFields: ['id', 'displayName', 'emails'],
        enableProof: true,
      },
      (_accessToken: string, _refreshToken: string, profile: Profile, done: (err: unknown, user?: Express.User) => void) => {
        const email = profile.emails?.[0]?.value?.trim().toLowerCase() ?? null;
        signInWithFacebook({ id: String(profile.id), displayName: profile.displayName ?? '', email }, logger).then(
          (user) => done(null, toAuthUser(user)),
          (err: unknown) => done(err),
        );
      },
    ),
  );
  return passport;
}


function secureCookies(config: Config): boolean {
  return config.PUBLIC_URL.startsWith('https://');
}

/** Records a new sign-in attempt and binds it to this browser; returns the `state` for Facebook. */
export async function startFacebookState(
  res: Response,
  config: Config,
  target: { siteId: string; returnTo: string; origin: string },
): Promise<string> {
  const state = newSecretToken();
  const stateHash = hashSecretToken(state);
  await OAuthStateModel.create({
    _id: stateHash,
    siteId: target.siteId,
    returnTo: target.returnTo,
    returnOrigin: target.origin,
    expiresAt: new Date(Date.now() + STATE_TTL_SECONDS * 1000),
  });
  res.cookie(FACEBOOK_STATE_COOKIE, stateHash, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secureCookies(config),
    path: COOKIE_PATH,
    maxAge: STATE_TTL_SECONDS * 1000,
  });
  return state;
}

/** Checks the returned state against this browser's cookie and uses it up; returns where to hand the token. */
export async function finishFacebookState(
  req: Request,
  res: Response,
  config: Config,
  state: string | undefined,
): Promise<{ returnOrigin: string }> {
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const cookieHash = cookies?.[FACEBOOK_STATE_COOKIE];
  res.clearCookie(FACEBOOK_STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure: secureCookies(config), path: COOKIE_PATH });
  if (!state) throw badRequest('The sign-in response has no state.');
  if (typeof cookieHash !== 'string' || cookieHash.length === 0) {
    throw forbidden('This sign-in was not started in this browser; start again.');
  }
  const stateHash = hashSecretToken(state);
  if (!sameSecret(stateHash, cookieHash)) throw forbidden('The sign-in state does not match this browser; start again.');
  const now = new Date();
  const record = await OAuthStateModel.findById(stateHash).lean();
  const usable = record && !record.usedAt && record.expiresAt.getTime() > now.getTime();
  if (!usable || !(await claimSecretUse(`oauth-state:${stateHash}`, now))) {
    throw badRequest('This sign-in has expired or was already completed; start again.');
  }
  await OAuthStateModel.updateOne({ _id: stateHash }, { $set: { usedAt: now } });
  return { returnOrigin: record.returnOrigin };
}

/** JSON that is safe inside a <script> element: nothing in it can close the element or start markup. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * The popup's last page: posts the result to the widget's window, only to the origin that started
 * the flow, then closes. Its inline script runs under a nonce valid for this response alone.
 */
export function sendPopupResult(res: Response, returnOrigin: string, message: Record<string, unknown>): void {
  const nonce = randomBytes(18).toString('base64');
  const script =
    `(function(){var message=${scriptSafeJson(message)};var origin=${scriptSafeJson(returnOrigin)};` +
    'if(window.opener){window.opener.postMessage(message,origin);}window.close();})();';
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threadline sign-in</title></head>' +
    '<body><p>Signing you in. You can close this window.</p>' +
    `<script nonce="${nonce}">${script}</script></body></html>`;
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  // The widget's page opened this popup; a same-origin opener policy would cut the link it posts through.
  res.setHeader('Cross-Origin-Opener-Policy', 'unsafe-none');
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).type('text/html; charset=utf-8').send(html);
}
