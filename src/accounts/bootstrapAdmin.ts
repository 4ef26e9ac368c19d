import type { Logger } from '../logging/logger';
import { hashPassword, passwordProblem } from './passwords';
import { IdentityModel, UserModel } from './user.model';

/**
 * Creates the first admin from BOOTSTRAP_ADMIN_EMAIL / BOOTSTRAP_ADMIN_PASSWORD when no admin exists.
 * Does nothing once any admin exists, so leaving the variables set is harmless but pointless.
 */
export async function bootstrapAdmin(email: string | undefined, password: string | undefined, logger: Logger): Promise<void> {
  if (!email || !password) return;
  if (await UserModel.exists({ role: 'admin' })) return;
  const address = email.trim().toLowerCase();
  const identityId = `email:${address}`;
  const existing = await IdentityModel.findById(identityId).lean();
  if (existing) {
    await UserModel.updateOne({ _id: existing.userId }, { $set: { role: 'admin', emailVerified: true } });
    logger.info('bootstrap: promoted the existing account to admin');
    return;
  }
  const user = await UserModel.create({
    displayName: 'Admin',
    email: address,
    emailVerified: true,
    passwordHash: await hashPassword(password),
    role: 'admin',
  });
  await IdentityModel.create({ _id: identityId, userId: user._id });
  logger.info({ userId: String(user._id) }, 'bootstrap: created the first admin account');
}

export type AdminOutcome = 'created' | 'promoted' | 'already-admin';

/**
 * Makes the account with this email an admin, creating it (email verified) when it does not exist.
 * A new account needs a password that meets the usual rules; an existing one keeps its own.
 */
export async function createOrPromoteAdmin(input: { email: string; password?: string; displayName?: string }): Promise<AdminOutcome> {
  const address = input.email.trim().toLowerCase();
  const identityId = `email:${address}`;
  const existing = await IdentityModel.findById(identityId).lean();
  if (existing) {
    const user = await UserModel.findById(existing.userId).lean();
    if (user?.role === 'admin') return 'already-admin';
    await UserModel.updateOne({ _id: existing.userId }, { $set: { role: 'admin' } });
    return 'promoted';
  }
  if (!input.password) throw new Error('a new admin account needs a password');
  const weakness = passwordProblem(input.password, { email: address, displayName: input.displayName });
  if (weakness) throw new Error(`the password ${weakness}`);
  const user = await UserModel.create({
    displayName: input.displayName?.trim() || 'Admin',
    email: address,
    emailVerified: true,
    passwordHash: await hashPassword(input.password),
    role: 'admin',
  });
  try {
    await IdentityModel.create({ _id: identityId, userId: user._id });
  } catch (err) {
    await UserModel.deleteOne({ _id: user._id });
    throw err;
  }
  return 'created';
}
