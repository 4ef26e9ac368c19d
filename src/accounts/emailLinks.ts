import type { Types } from 'mongoose';
import { badRequest, gone } from '../http/problem';
import { OneTimeTokenModel, claimSecretUse, type OneTimeTokenPurpose } from './oneTimeToken.model';
import { hashSecretToken, newSecretToken } from './secretTokens';

export const SIGN_IN_LINK_TTL_SECONDS = 15 * 60;
export const VERIFY_EMAIL_LINK_TTL_SECONDS = 24 * 60 * 60;
export const PASSWORD_RESET_LINK_TTL_SECONDS = 60 * 60;
export const CHANGE_EMAIL_LINK_TTL_SECONDS = 24 * 60 * 60;

/** The fragment key the widget looks for; a fragment never reaches a server log or a Referer header. */
export const LINK_FRAGMENT_KEY: Record<OneTimeTokenPurpose, string> = {
  'sign-in': 'threadline-email-link',
  'verify-email': 'threadline-verify-email',
  'password-reset': 'threadline-password-reset',
  'change-email': 'threadline-change-email',
};

export async function createEmailLinkToken(input: {
  purpose: OneTimeTokenPurpose;
  email: string;
  userId?: Types.ObjectId;
  ttlSeconds: number;
}): Promise<string> {
  const token = newSecretToken();
  await OneTimeTokenModel.create({
    _id: hashSecretToken(token),
    purpose: input.purpose,
    email: input.email,
    userId: input.userId ?? null,
    expiresAt: new Date(Date.now() + input.ttlSeconds * 1000),
  });
  return token;
}

export function linkUrl(base: string, purpose: OneTimeTokenPurpose, token: string): string {
  const url = new URL(base);
  url.hash = `${LINK_FRAGMENT_KEY[purpose]}=${token}`;
  return url.toString();
}

/** Uses the link up; a second (or simultaneous) use, an expired or an unknown link is refused. */
export async function consumeEmailLinkToken(
  token: string,
  purpose: OneTimeTokenPurpose,
): Promise<{ email: string; userId: Types.ObjectId | null }> {
  const id = hashSecretToken(token);
  const now = new Date();
  const link = await OneTimeTokenModel.findById(id).lean();
  if (!link || link.purpose !== purpose) throw badRequest('This link is not valid.');
  if (link.usedAt) throw gone('This link has already been used; request a new one.');
  if (link.expiresAt.getTime() > now.getTime()) {
    if (!(await claimSecretUse(`link:${id}`, now))) throw gone('This link has already been used; request a new one.');
    await OneTimeTokenModel.updateOne({ _id: id }, { $set: { usedAt: now } });
    return { email: link.email, userId: link.userId ?? null };
  }
  throw gone('This link has expired; request a new one.');
}
