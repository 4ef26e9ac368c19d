import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { isCommonPassword } from './commonPasswords';

export const PASSWORD_MIN_LENGTH = 10;
/** argon2 hashes any length, but an unbounded input is a cheap way to burn our CPU. */
export const PASSWORD_MAX_LENGTH = 256;

/** argon2id with the library's defaults (64 MiB, 3 passes): slow on purpose. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the same work as a real check, for sign-ins to unknown accounts, so that response time
 * does not tell which email addresses have an account.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  await verifyPassword(await dummyHash, password);
  return false;
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, context: { email?: string; displayName?: string } = {}): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  if (isCommonPassword(password)) return 'is too common; choose a less guessable password';
  const lowered = password.toLowerCase();
  const personal = [context.email, context.email?.split('@')[0], context.displayName]
    .filter((v): v is string => Boolean(v && v.length >= 4))
    .map((v) => v.toLowerCase());
  if (personal.some((v) => lowered === v)) return 'must not be your email address or display name';
  return null;
}
