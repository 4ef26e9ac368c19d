import cookieParser from 'cookie-parser';
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HttpProblem, badRequest, tooManyRequests, unauthorized } from '../http/problem';
import { createRateLimiters } from '../http/rateLimit';
import { parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import {
  confirmAddress,
  issueSessionToken,
  registerWithPassword,
  signInWithVerifiedEmail,
  type StoredUser,
} from './accountService';
import { currentUser, requireUser } from './authenticate';
import {
  SIGN_IN_LINK_TTL_SECONDS,
  VERIFY_EMAIL_LINK_TTL_SECONDS,
  consumeEmailLinkToken,
  createEmailLinkToken,
  linkUrl,
} from './emailLinks';
import { createFacebookPassport, facebookNotConfigured, finishFacebookState, sendPopupResult, startFacebookState } from './facebook';
import { lifecycleRoutes } from './lifecycleRoutes';
import { authenticateLocal, createLocalPassport } from './localSignIn';
import { createAccountMail, linkBase } from './accountMail';
import { passwordProblem } from './passwords';
import { checkReturnTo } from './returnTo';
import {
  emailLinkBody,
  facebookCallbackQuery,
  facebookStartQuery,
  loginBody,
  registerBody,
  sessionJsonSchema,
  tokenBody,
  userJsonSchema,
} from './schemas';
import { countThrottleEvent, throttleRetryAfter, type ThrottleRule } from './throttle';
import { toUserJson } from './userJson';
import { UserModel } from './user.model';

const BAD_CREDENTIALS = 'The email address or password is not correct.';

export function accountRoutes(context: AppContext): Router {
  const { config, logger } = context;
  const api = documentedRouter();
  const router = api.router;
  const mail = createAccountMail(config, logger);
  const localPassport = createLocalPassport();
  const limits = createRateLimiters(config);
  const facebookPassport = createFacebookPassport(config, logger);
  const window = config.LOGIN_FAILURE_WINDOW_SECONDS;
  const accountRule: ThrottleRule = { bucket: 'login-failure-account', max: config.LOGIN_MAX_FAILURES_PER_ACCOUNT, windowSeconds: window };
  const ipRule = (action: string): ThrottleRule => ({ bucket: `${action}-ip`, max: config.LOGIN_MAX_FAILURES_PER_IP, windowSeconds: window });
  const jwtSettings = { secret: config.JWT_SECRET, ttlSeconds: config.JWT_TTL_SECONDS };

  const session = (user: StoredUser, res: Response, status = 200): void => {
    res.status(status).json({ token: issueSessionToken(user, jwtSettings), user: toUserJson(user, { id: String(user._id), role: user.role }) });
  };

  /** Per-IP brake on costly or abusable calls; off when rate limits are disabled (tests, or a proxy does it). */
  const brakeIp = async (req: Request, action: string): Promise<void> => {
    if (!config.RATE_LIMITS_ENABLED) return;
    const key = req.ip ?? 'unknown';
    const retryAfter = await throttleRetryAfter(key, ipRule(action));
    if (retryAfter > 0) throw tooManyRequests('Too many attempts from this network; try again later.', retryAfter);
    // Sign-in counts only failures (below); other actions count every call.
    if (action !== 'login') await countThrottleEvent(key, ipRule(action));
  };

  const sendVerificationMail = async (user: StoredUser, base: string): Promise<void> => {
    if (!user.email) return;
    const token = await createEmailLinkToken({
      purpose: 'verify-email',
      email: user.email,
      userId: user._id,
      ttlSeconds: VERIFY_EMAIL_LINK_TTL_SECONDS,
    });
    const link = linkUrl(base, 'verify-email', token);
    await mail.sendCapped({
      to: user.email,
      subject: 'Confirm your email address',
      text: `Hello ${user.displayName},\n\nConfirm your email address for commenting by opening this link (valid for 24 hours):\n\n${link}\n\nIf you did not create an account, ignore this message.\n`,
    });
  };

  api.post(
    '/auth/register',
    { operationId: 'register', summary: 'Creates an account and sends a verification email.', tags: ['accounts'], body: registerBody, problems: [409, 422], responses: { 201: { description: 'Signed in as the new account.', schema: sessionJsonSchema } } },
    limits.signIn, limits.sendEmail, async (req, res) => {
    const body = parseInput(registerBody, req.body, 'body');
    const weakness = passwordProblem(body.password, { email: body.email, displayName: body.displayName });
    if (weakness) throw badRequest('The password is not acceptable.', [{ path: 'password', message: weakness }]);
    const base = await linkBase(config.PUBLIC_URL, body);
    await brakeIp(req, 'register');
    const user = await registerWithPassword(body);
    req.log.info({ userId: String(user._id) }, 'account registered');
    await sendVerificationMail(user, base);
    session(user, res, 201);
  });

  api.post(
    '/auth/verify-email',
    { operationId: 'verifyEmail', summary: "Confirms an email address with the token from the verification email and signs the confirmer in. Opened outside the account's own session, it also removes a password someone else set and ends their sessions.", tags: ['accounts'], signedIn: 'optional', body: tokenBody, problems: [410], responses: { 200: { description: 'Signed in.', schema: sessionJsonSchema } } },
    async (req, res) => {
    const { token } = parseInput(tokenBody, req.body, 'body');
    const link = await consumeEmailLinkToken(token, 'verify-email');
    const user = link.userId ? await confirmAddress(link.userId, link.email, req.user?.id ?? null, req.log) : null;
    if (!user) throw badRequest('This link is not valid.');
    req.log.info({ userId: String(user._id) }, 'email address verified');
    session(user, res);
  });

  api.post(
    '/auth/login',
    { operationId: 'login', summary: 'Signs in with email and password.', tags: ['accounts'], body: loginBody, problems: [403], responses: { 200: { description: 'Signed in.', schema: sessionJsonSchema } } },
    limits.signIn, async (req, res) => {
    const body = parseInput(loginBody, req.body, 'body');
    req.body = body;
    await brakeIp(req, 'login');
    const accountKey = body.email;
    const accountRetry = await throttleRetryAfter(accountKey, accountRule);
    if (accountRetry > 0) {
      throw tooManyRequests('Too many failed sign-ins for this account; try again later or use an email link.', accountRetry);
    }
    const userId = await authenticateLocal(localPassport, req, res);
    const user = userId ? await UserModel.findById(userId).lean<StoredUser>() : null;
    if (!user) {
      await countThrottleEvent(accountKey, accountRule);
      if (config.RATE_LIMITS_ENABLED) await countThrottleEvent(req.ip ?? 'unknown', ipRule('login'));
      req.log.info('sign-in refused: bad credentials');
      throw unauthorized(BAD_CREDENTIALS);
    }
    req.log.info({ userId }, 'signed in with password');
    session(user, res);
  });

  api.post(
    '/auth/email-link',
    { operationId: 'requestEmailLink', summary: 'Emails a one-time sign-in link (15 minutes, single use). Answers 202 whether or not the address is known.', tags: ['accounts'], body: emailLinkBody, responses: { 202: { description: 'Accepted; an email is on its way if the address can receive one.' } } },
    limits.sendEmail, async (req, res) => {
    const body = parseInput(emailLinkBody, req.body, 'body');
    const base = await linkBase(config.PUBLIC_URL, body);
    await brakeIp(req, 'email-link');
    // Same answer whether or not the address has an account; the first verified link creates it.
    const token = await createEmailLinkToken({ purpose: 'sign-in', email: body.email, ttlSeconds: SIGN_IN_LINK_TTL_SECONDS });
    const sent = await mail.sendCapped({
      to: body.email,
      subject: 'Your sign-in link',
      text: `Open this link to sign in and comment (valid for 15 minutes, usable once):\n\n${linkUrl(base, 'sign-in', token)}\n\nIf you did not ask for it, ignore this message.\n`,
    });
    if (!sent) req.log.info('sign-in link not sent: too many for this address');
    res.status(202).end();
  });

  api.post(
    '/auth/email-link/verify',
    { operationId: 'verifyEmailLink', summary: 'Exchanges a one-time sign-in link token for a session.', tags: ['accounts'], body: tokenBody, problems: [403, 410], responses: { 200: { description: 'Signed in.', schema: sessionJsonSchema } } },
    async (req, res) => {
    const { token } = parseInput(tokenBody, req.body, 'body');
    const link = await consumeEmailLinkToken(token, 'sign-in');
    const user = await signInWithVerifiedEmail(link.email, req.log);
    req.log.info({ userId: String(user._id) }, 'signed in with an email link');
    session(user, res);
  });

  api.get(
    '/auth/facebook',
    { operationId: 'facebookSignIn', summary: 'Redirects to Facebook with a state bound to this browser.', tags: ['accounts'], query: facebookStartQuery, responses: { 302: { description: 'To Facebook.' } } },
    async (req, res, next) => {
    if (!facebookPassport) throw facebookNotConfigured();
    const query = parseInput(facebookStartQuery, req.query, 'query');
    const target = await checkReturnTo(query.siteId, query.returnTo);
    const state = await startFacebookState(res, config, { siteId: query.siteId, returnTo: target.url, origin: target.origin });
    facebookPassport.authenticate('facebook', { session: false, state, scope: ['email'] })(req, res, next);
  });

  api.get(
    '/auth/facebook/callback',
    { operationId: 'facebookCallback', summary: 'Signs in or creates the user, then hands the session token to the widget.', tags: ['accounts'], query: facebookCallbackQuery, problems: [403, 502], responses: { 200: { description: 'A page that passes the session to the widget.', contentType: 'text/html', schema: z.string() }, 302: { description: 'Back to the page that started the sign-in.' } } },
    cookieParser(), async (req, res) => {
    if (!facebookPassport) throw facebookNotConfigured();
    const query = parseInput(facebookCallbackQuery, req.query, 'query');
    const { returnOrigin } = await finishFacebookState(req, res, config, query.state);
    if (query.error || !query.code) {
      sendPopupResult(res, returnOrigin, { type: 'threadline:auth', error: 'cancelled' });
      return;
    }
    const user = await new Promise<Express.User | null>((resolve, reject) => {
      facebookPassport.authenticate('facebook', { session: false }, (err: unknown, signedIn: Express.User | false) => {
        if (err) {
          req.log.warn({ err: err instanceof Error ? err.name : 'unknown' }, 'Facebook sign-in failed');
          reject(new HttpProblem(502, 'Bad Gateway', 'Facebook did not confirm the sign-in; try again.', { slug: 'upstream' }));
        } else resolve(signedIn || null);
      })(req, res, reject);
    });
    const stored = user ? await UserModel.findById(user.id).lean<StoredUser>() : null;
    if (!stored) throw unauthorized('Facebook did not confirm the sign-in.');
    req.log.info({ userId: user?.id }, 'signed in with Facebook');
    const viewer = { id: String(stored._id), role: stored.role };
    sendPopupResult(res, returnOrigin, {
      type: 'threadline:auth',
      token: issueSessionToken(stored, jwtSettings),
      user: toUserJson(stored, viewer),
    });
  });

  router.use(lifecycleRoutes(context, mail, session, limits));

  api.get(
    '/auth/me',
    { operationId: 'me', summary: 'The signed-in user.', tags: ['accounts'], signedIn: 'required', responses: { 200: { description: 'The user, with email.', schema: userJsonSchema } } },
    requireUser, async (req, res) => {
    const viewer = currentUser(req);
    const user = await UserModel.findById(viewer.id).lean<StoredUser>();
    if (!user) throw unauthorized('This session has ended; sign in again.');
    res.json(toUserJson(user, viewer));
  });

  /**
   * Exchanges a valid session token for a fresh one, so an active reader stays signed in without any
   * cookie (the widget runs on other sites, where third-party cookies are blocked). The token is checked
   * like every other (signature, expiry, tokenVersion), so sign-out and bans still end the session at once.
   */
  api.post(
    '/auth/refresh',
    { operationId: 'refreshSession', summary: 'Exchanges a valid, unrevoked session token for a fresh one, so an active reader stays signed in without cookies.', tags: ['accounts'], signedIn: 'required', responses: { 200: { description: 'A fresh session.', schema: sessionJsonSchema } } },
    requireUser, async (req, res) => {
    const viewer = currentUser(req);
    const user = await UserModel.findById(viewer.id).lean<StoredUser>();
    if (!user || viewer.banned) throw unauthorized('This session has ended; sign in again.');
    session(user, res);
  });

  api.post(
    '/auth/logout',
    { operationId: 'logout', summary: 'Ends every session of this user: the token stops working.', tags: ['accounts'], signedIn: 'required', responses: { 204: { description: 'Done; no body.' } } },
    requireUser, async (req, res) => {
    const viewer = currentUser(req);
    await UserModel.updateOne({ _id: viewer.id }, { $inc: { tokenVersion: 1 } });
    req.log.info({ userId: viewer.id }, 'signed out');
    res.status(204).end();
  });

  return api.router;
}
