import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { parseInput } from '../http/validate';
import type { AccountMail } from './accountMail';
import type { StoredUser } from './accountService';
import { currentUser, requireUser } from './authenticate';
import {
  CHANGE_EMAIL_LINK_TTL_SECONDS,
  PASSWORD_RESET_LINK_TTL_SECONDS,
  VERIFY_EMAIL_LINK_TTL_SECONDS,
  consumeEmailLinkToken,
  createEmailLinkToken,
  linkUrl,
} from './emailLinks';
import {
  accountForReset,
  assertAddressFree,
  changeDisplayName,
  checkCurrentPassword,
  confirmEmailChange,
  deleteAccount,
  exportAccount,
  resetPassword,
  setPassword,
  signOutEverywhere,
} from './lifecycle';
import { personName } from './names';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './passwords';
import { UserModel } from './user.model';
import { toUserJson } from './userJson';
import { badRequest, conflict, unauthorized } from '../http/problem';

const email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an email address'));
const linkToken = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'must be a link token');
const password = z.string().max(PASSWORD_MAX_LENGTH);
const currentPassword = z.string().min(1).max(PASSWORD_MAX_LENGTH).optional();

const resetRequestBody = z.strictObject({ email });
const resetConfirmBody = z.strictObject({ token: linkToken, password });
const tokenBody = z.strictObject({ token: linkToken });
const profilePatch = z
  .strictObject({ displayName: personName(50), notifyReplies: z.boolean(), notifyQueue: z.boolean() })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field');
const emailChangeBody = z.strictObject({ email, currentPassword });
const passwordBody = z.strictObject({ password, currentPassword });
const deleteBody = z.strictObject({ password: currentPassword }).optional();

/** The page of the service where emailed account links land (reset, new address). */
export const ACCOUNT_PAGE_PATH = '/account';

/** Password reset, resending verification, profile, address and password changes, sign-out everywhere, export and deletion. */
export function lifecycleRoutes(
  { config }: AppContext,
  mail: AccountMail,
  session: (user: StoredUser, res: Response, status?: number) => void,
  mailBrake: RequestHandler,
): Router {
  const router = Router();
  const accountPage = `${config.PUBLIC_URL}${ACCOUNT_PAGE_PATH}`;

  const loadUser = async (id: string): Promise<StoredUser> => {
    const user = await UserModel.findById(id).lean<StoredUser>();
    if (!user || user.deletedAt) throw unauthorized('This session has ended; sign in again.');
    return user;
  };
  const userJson = (user: StoredUser) => toUserJson(user, { id: String(user._id), role: user.role });

  router.post('/auth/password-reset', mailBrake, async (req, res) => {
    const body = parseInput(resetRequestBody, req.body, 'body');
    // The same 202 for every address, so the answer tells nobody which addresses have accounts.
    const user = await accountForReset(body.email);
    if (user?.email) {
      const token = await createEmailLinkToken({
        purpose: 'password-reset',
        email: user.email,
        userId: user._id,
        ttlSeconds: PASSWORD_RESET_LINK_TTL_SECONDS,
      });
      const sent = await mail.sendCapped({
        to: user.email,
        subject: 'Choose a new password',
        text: `Hello ${user.displayName},\n\nOpen this link to choose a new password (valid for one hour, usable once):\n\n${linkUrl(accountPage, 'password-reset', token)}\n\nEvery place you are signed in will be signed out. If you did not ask for this, ignore this message: your password stays as it is.\n`,
      });
      req.log.info({ userId: String(user._id), sent }, 'password reset requested');
    }
    res.status(202).end();
  });

  router.post('/auth/password-reset/confirm', async (req, res) => {
    const body = parseInput(resetConfirmBody, req.body, 'body');
    // Checked before the link is used up, so that a refused password does not cost the reader the link.
    const weakness = passwordProblem(body.password);
    if (weakness) throw badRequest('The password is not acceptable.', [{ path: 'password', message: weakness }]);
    const link = await consumeEmailLinkToken(body.token, 'password-reset');
    const user = await resetPassword(link, body.password);
    req.log.info({ userId: String(user._id) }, 'password reset; every other session ended');
    session(user, res);
  });

  router.post('/auth/verify-email/resend', requireUser, mailBrake, async (req, res) => {
    const user = await loadUser(currentUser(req).id);
    if (user.emailVerified) throw conflict('Your email address is already confirmed.');
    if (!user.email) throw conflict('This account has no email address; add one first.');
    const token = await createEmailLinkToken({ purpose: 'verify-email', email: user.email, userId: user._id, ttlSeconds: VERIFY_EMAIL_LINK_TTL_SECONDS });
    await mail.sendCapped({
      to: user.email,
      subject: 'Confirm your email address',
      text: `Hello ${user.displayName},\n\nConfirm your email address for commenting by opening this link (valid for 24 hours):\n\n${linkUrl(accountPage, 'verify-email', token)}\n\nIf you did not create an account, ignore this message.\n`,
    });
    res.status(202).end();
  });

  router.patch('/me', requireUser, async (req, res) => {
    const patch = parseInput(profilePatch, req.body, 'body');
    const viewer = currentUser(req);
    if (patch.notifyQueue && viewer.role === 'commenter') throw badRequest('Only moderators have a queue to be told about.');
    if (patch.displayName !== undefined) await changeDisplayName(viewer.id, patch.displayName);
    const flags = { ...(patch.notifyReplies !== undefined ? { notifyReplies: patch.notifyReplies } : {}), ...(patch.notifyQueue !== undefined ? { notifyQueue: patch.notifyQueue } : {}) };
    if (Object.keys(flags).length > 0) await UserModel.updateOne({ _id: viewer.id }, { $set: flags });
    const user = await loadUser(viewer.id);
    res.json({ ...userJson(user), notifyReplies: Boolean(user.notifyReplies), notifyQueue: Boolean(user.notifyQueue) });
  });

  router.post('/me/email', requireUser, async (req, res) => {
    const body = parseInput(emailChangeBody, req.body, 'body');
    const user = await checkCurrentPassword(currentUser(req).id, body.currentPassword);
    if (user.email === body.email) throw conflict('This is already your email address.');
    await assertAddressFree(body.email);
    const token = await createEmailLinkToken({ purpose: 'change-email', email: body.email, userId: user._id, ttlSeconds: CHANGE_EMAIL_LINK_TTL_SECONDS });
    await mail.sendCapped({
      to: body.email,
      subject: 'Confirm your new email address',
      text: `Hello ${user.displayName},\n\nOpen this link to make this your address for commenting (valid for 24 hours):\n\n${linkUrl(accountPage, 'change-email', token)}\n\nUntil then your account keeps its current address. If you did not ask for this, ignore this message.\n`,
    });
    if (user.email) {
      await mail.sendCapped({
        to: user.email,
        subject: 'A new email address was requested for your account',
        text: `Hello ${user.displayName},\n\nSomeone signed in to your account asked to change its email address. Nothing changes until the new address is confirmed. If this was not you, reset your password and sign out everywhere.\n`,
      });
    }
    req.log.info({ userId: String(user._id) }, 'email change requested');
    res.status(202).end();
  });

  router.post('/auth/change-email/confirm', async (req, res) => {
    const { token } = parseInput(tokenBody, req.body, 'body');
    const link = await consumeEmailLinkToken(token, 'change-email');
    const user = await confirmEmailChange(link);
    req.log.info({ userId: String(user._id) }, 'email address changed');
    res.json({ user: userJson(user) });
  });

  router.put('/me/password', requireUser, async (req, res) => {
    const body = parseInput(passwordBody, req.body, 'body');
    const user = await setPassword(currentUser(req).id, body);
    req.log.info({ userId: String(user._id) }, 'password set; every other session ended');
    session(user, res);
  });

  router.post('/auth/logout-everywhere', requireUser, async (req, res) => {
    await signOutEverywhere(currentUser(req).id);
    req.log.info({ userId: currentUser(req).id }, 'signed out everywhere');
    res.status(204).end();
  });

  router.get('/me/export', requireUser, async (req, res) => {
    const data = await exportAccount(currentUser(req).id);
    res.setHeader('Cache-Control', 'no-store');
    res.attachment('threadline-my-data.json');
    res.type('application/json').send(JSON.stringify(data, null, 2));
  });

  router.delete('/me', requireUser, async (req, res) => {
    const body = parseInput(deleteBody, req.body, 'body');
    await deleteAccount(currentUser(req).id, body?.password);
    req.log.info({ userId: currentUser(req).id }, 'account deleted by its owner');
    res.status(204).end();
  });

  return router;
}
