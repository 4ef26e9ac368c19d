import type { Response, Router } from 'express';
import type { AppContext } from '../context';
import type { RateLimiters } from '../http/rateLimit';
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
import { documentedRouter } from '../openapi/declare';
import { passwordProblem } from './passwords';
import {
  accountExportSchema,
  deleteBody,
  emailChangeBody,
  passwordBody,
  profileJsonSchema,
  profilePatch,
  resetConfirmBody,
  resetRequestBody,
  sessionJsonSchema,
  tokenBody,
  userEnvelopeSchema,
} from './schemas';
import { UserModel } from './user.model';
import { toUserJson } from './userJson';
import { badRequest, conflict, unauthorized } from '../http/problem';

/** The page of the service where emailed account links land (reset, new address). */
export const ACCOUNT_PAGE_PATH = '/account';

/** Password reset, resending verification, profile, address and password changes, sign-out everywhere, export and deletion. */
export function lifecycleRoutes(
  { config }: AppContext,
  mail: AccountMail,
  session: (user: StoredUser, res: Response, status?: number) => void,
  limits: Pick<RateLimiters, 'sendEmail'>,
): Router {
  const api = documentedRouter();
  const accountPage = `${config.PUBLIC_URL}${ACCOUNT_PAGE_PATH}`;

  const loadUser = async (id: string): Promise<StoredUser> => {
    const user = await UserModel.findById(id).lean<StoredUser>();
    if (!user || user.deletedAt) throw unauthorized('This session has ended; sign in again.');
    return user;
  };
  const userJson = (user: StoredUser) => toUserJson(user, { id: String(user._id), role: user.role });

  api.post(
    '/auth/password-reset',
    { operationId: 'requestPasswordReset', summary: 'Mails a one-time reset link (1 hour) to a known address. Always 202.', tags: ['accounts'], body: resetRequestBody, responses: { 202: { description: 'Accepted; a mail is on its way if the address has an account.' } } },
    limits.sendEmail, async (req, res) => {
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

  api.post(
    '/auth/password-reset/confirm',
    { operationId: 'confirmPasswordReset', summary: 'Sets the new password from the reset link; every other session ends.', tags: ['accounts'], body: resetConfirmBody, problems: [410], responses: { 200: { description: 'Signed in with the new password.', schema: sessionJsonSchema } } },
    async (req, res) => {
    const body = parseInput(resetConfirmBody, req.body, 'body');
    // Checked before the link is used up, so that a refused password does not cost the reader the link.
    const weakness = passwordProblem(body.password);
    if (weakness) throw badRequest('The password is not acceptable.', [{ path: 'password', message: weakness }]);
    const link = await consumeEmailLinkToken(body.token, 'password-reset');
    const user = await resetPassword(link, body.password);
    req.log.info({ userId: String(user._id) }, 'password reset; every other session ended');
    session(user, res);
  });

  api.post(
    '/auth/verify-email/resend',
    { operationId: 'resendVerification', summary: 'Mails a new verification link to the unconfirmed address of the signed-in account.', tags: ['accounts'], signedIn: 'required', problems: [409], responses: { 202: { description: 'Accepted; the mail cap may hold it back.' } } },
    requireUser, limits.sendEmail, async (req, res) => {
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

  api.patch(
    '/me',
    { operationId: 'updateMe', summary: 'Changes the display name (also on earlier comments) and mail preferences.', tags: ['accounts'], signedIn: 'required', body: profilePatch, responses: { 200: { description: 'The user with its mail preferences.', schema: profileJsonSchema } } },
    requireUser, async (req, res) => {
    const patch = parseInput(profilePatch, req.body, 'body');
    const viewer = currentUser(req);
    if (patch.notifyQueue && viewer.role === 'commenter') throw badRequest('Only moderators have a queue to be told about.');
    if (patch.displayName !== undefined) await changeDisplayName(viewer.id, patch.displayName);
    const flags = { ...(patch.notifyReplies !== undefined ? { notifyReplies: patch.notifyReplies } : {}), ...(patch.notifyQueue !== undefined ? { notifyQueue: patch.notifyQueue } : {}) };
    if (Object.keys(flags).length > 0) await UserModel.updateOne({ _id: viewer.id }, { $set: flags });
    const user = await loadUser(viewer.id);
    res.json({ ...userJson(user), notifyReplies: Boolean(user.notifyReplies), notifyQueue: Boolean(user.notifyQueue) });
  });

  api.post(
    '/me/email',
    { operationId: 'changeEmail', summary: 'Mails a confirmation link to the new address; nothing changes until it is opened.', tags: ['accounts'], signedIn: 'required', body: emailChangeBody, problems: [403, 409], responses: { 202: { description: 'Accepted.' } } },
    requireUser, async (req, res) => {
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

  api.post(
    '/auth/change-email/confirm',
    { operationId: 'confirmEmailChange', summary: 'Makes the new address (from POST /me/email) the account address, verified.', tags: ['accounts'], body: tokenBody, problems: [409, 410], responses: { 200: { description: 'The user with the new address.', schema: userEnvelopeSchema } } },
    async (req, res) => {
    const { token } = parseInput(tokenBody, req.body, 'body');
    const link = await consumeEmailLinkToken(token, 'change-email');
    const user = await confirmEmailChange(link);
    req.log.info({ userId: String(user._id) }, 'email address changed');
    res.json({ user: userJson(user) });
  });

  api.put(
    '/me/password',
    { operationId: 'setPassword', summary: 'Sets a password (link-only and Facebook accounts) or changes it (currentPassword needed); other sessions end.', tags: ['accounts'], signedIn: 'required', body: passwordBody, problems: [403, 409], responses: { 200: { description: 'A fresh session.', schema: sessionJsonSchema } } },
    requireUser, async (req, res) => {
    const body = parseInput(passwordBody, req.body, 'body');
    const user = await setPassword(currentUser(req).id, body);
    req.log.info({ userId: String(user._id) }, 'password set; every other session ended');
    session(user, res);
  });

  api.post(
    '/auth/logout-everywhere',
    { operationId: 'logoutEverywhere', summary: 'Ends every session of the signed-in account.', tags: ['accounts'], signedIn: 'required', responses: { 204: { description: 'Done; no body.' } } },
    requireUser, async (req, res) => {
    await signOutEverywhere(currentUser(req).id);
    req.log.info({ userId: currentUser(req).id }, 'signed out everywhere');
    res.status(204).end();
  });

  api.get(
    '/me/export',
    { operationId: 'exportMe', summary: 'Everything held about the caller, as a JSON download.', tags: ['accounts'], signedIn: 'required', responses: { 200: { description: 'The export (Content-Disposition: attachment).', schema: accountExportSchema } } },
    requireUser, async (req, res) => {
    const data = await exportAccount(currentUser(req).id);
    res.setHeader('Cache-Control', 'no-store');
    res.attachment('threadline-my-data.json');
    res.type('application/json').send(JSON.stringify(data, null, 2));
  });

  api.delete(
    '/me',
    { operationId: 'deleteMe', summary: 'Deletes the account: comments become "deleted account" tombstones, the email is erased, sessions end.', tags: ['accounts'], signedIn: 'required', body: deleteBody, bodyOptional: true, problems: [403], responses: { 204: { description: 'Done; no body.' } } },
    requireUser, async (req, res) => {
    const body = parseInput(deleteBody, req.body, 'body');
    await deleteAccount(currentUser(req).id, body?.password);
    req.log.info({ userId: currentUser(req).id }, 'account deleted by its owner');
    res.status(204).end();
  });

  return api.router;
}
