import cookieParser from 'cookie-parser';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { HttpProblem, badRequest, tooManyRequests, unauthorized } from '../http/problem';
import { createRateLimiters } from '../http/rateLimit';
import { objectIdString, parseInput } from '../http/validate';
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
import { personName } from './names';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './passwords';
import { checkReturnTo } from './returnTo';
import { countThrottleEvent, throttleRetryAfter, type ThrottleRule } from './throttle';
import { toUserJson } from './userJson';
import { UserModel } from './user.model';

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an email address'));
const displayName = personName(50);
const linkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'must be a link token');
const returnTarget = { siteId: objectIdString.optional(), returnTo: z.string().max(2000).optional() };

const registerBody = z.strictObject({ email, password: z.string().max(PASSWORD_MAX_LENGTH), displayName, ...returnTarget });
const loginBody = z.strictObject({ email, password: z.string().min(1).max(PASSWORD_MAX_LENGTH) });
const emailLinkBody = z.strictObject({ email, ...returnTarget });
const tokenBody = z.strictObject({ token: linkToken });
const facebookStartQuery = z.strictObject({ siteId: objectIdString, returnTo: z.string().min(1).max(2000) });
const facebookCallbackQuery = z.looseObject({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
});

const BAD_CREDENTIALS = 'The email address or password is not correct.';

export function accountRoutes(context: AppContext): Router {
  const { config, logger } = context;
  const router = Router();
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

  router.post('/auth/register', limits.signIn, limits.sendEmail, async (req, res) => {
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

  router.post('/auth/verify-email', async (req, res) => {
    const { token } = parseInput(tokenBody, req.body, 'body');
    const link = await consumeEmailLinkToken(token, 'verify-email');
    const user = link.userId ? await confirmAddress(link.userId, link.email, req.user?.id ?? null, req.log) : null;
    if (!user) throw badRequest('This link is not valid.');
    req.log.info({ userId: String(user._id) }, 'email address verified');
    session(user, res);
  });

  router.post('/auth/login', limits.signIn, async (req, res) => {
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

  router.post('/auth/email-link', limits.sendEmail, async (req, res) => {
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

  router.post('/auth/email-link/verify', async (req, res) => {
    const { token } = parseInput(tokenBody, req.body, 'body');
    const link = await consumeEmailLinkToken(token, 'sign-in');
    const user = await signInWithVerifiedEmail(link.email, req.log);
    req.log.info({ userId: String(user._id) }, 'signed in with an email link');
    session(user, res);
  });

  router.get('/auth/facebook', async (req, res, next) => {
    if (!facebookPassport) throw facebookNotConfigured();
    const query = parseInput(facebookStartQuery, req.query, 'query');
    const target = await checkReturnTo(query.siteId, query.returnTo);
    const state = await startFacebookState(res, config, { siteId: query.siteId, returnTo: target.url, origin: target.origin });
    facebookPassport.authenticate('facebook', { session: false, state, scope: ['email'] })(req, res, next);
  });

  router.get('/auth/facebook/callback', cookieParser(), async (req, res) => {
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

  router.use(lifecycleRoutes(context, mail, session, limits.sendEmail));

  router.get('/auth/me', requireUser, async (req, res) => {
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
  router.post('/auth/refresh', requireUser, async (req, res) => {
    const viewer = currentUser(req);
    const user = await UserModel.findById(viewer.id).lean<StoredUser>();
    if (!user || viewer.banned) throw unauthorized('This session has ended; sign in again.');
    session(user, res);
  });

  router.post('/auth/logout', requireUser, async (req, res) => {
    const viewer = currentUser(req);
    await UserModel.updateOne({ _id: viewer.id }, { $inc: { tokenVersion: 1 } });
    req.log.info({ userId: viewer.id }, 'signed out');
    res.status(204).end();
  });

  return router;
}
