import { trusted, type Types } from 'mongoose';
import { badRequest, gone } from '../http/problem';
import { OneTimeTokenModel, type OneTimeTokenPurpose } from './oneTimeToken.model';
import { hashSecretToken, newSecretToken } from './secretTokens';

export const SIGN_IN_LINK_TTL_SECONDS = 15 * 60;
export const VERIFY_EMAIL_LINK_TTL_SECONDS = 24 * 60 * 60;

/** The fragment key the widget looks for; a fragment never reaches a server log or a Referer header. */
export const LINK_FRAGMENT_KEY: Record<OneTimeTokenPurpose, string> = {
  'sign-in': 'threadline-email-link',
  'verify-email': 'threadline-verify-email',
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

/** Marks the link used in one atomic update; a second use, an expired or an unknown link is refused. */
export async function consumeEmailLinkToken(
  token: string,
  purpose: OneTimeTokenPurpose,
): Promise<{ email: string; userId: Types.ObjectId | null }> {
  const id = hashSecretToken(token);
  const now = new Date();
  const consumed = await OneTimeTokenModel.findOneAndUpdate(
    { _id: id, purpose, usedAt: null, expiresAt: trusted({ $gt: now }) },
    { $set: { usedAt: now } },
    { returnDocument: 'after' },
  ).lean();
  if (consumed) return { email: consumed.email, userId: consumed.userId ?? null };
  const existing = await OneTimeTokenModel.findById(id).lean();
  if (!existing || existing.purpose !== purpose) throw badRequest('This link is not valid.');
  if (existing.usedAt) throw gone('This link has already been used; request a new one.');
  throw gone('This link has expired; request a new one.');
}
