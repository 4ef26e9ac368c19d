import type { Logger } from '../logging/logger';
import { hashPassword } from './passwords';
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
