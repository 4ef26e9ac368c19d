import { Types } from 'mongoose';
import { conflict } from '../http/problem';
import type { Logger } from '../logging/logger';
import { cleanExternalName } from './names';
import { hashPassword } from './passwords';
import { signSessionToken } from './tokens';
import { IdentityModel, UserModel, type User } from './user.model';
import { isDuplicateKey } from '../db/errors';
import { op } from '../db/atomic';

export type StoredUser = User & { _id: Types.ObjectId };

export const emailIdentity = (email: string): string => `email:${email.trim().toLowerCase()}`;
export const facebookIdentity = (facebookId: string): string => `facebook:${facebookId}`;


export function issueSessionToken(user: StoredUser, jwt: { secret: string; ttlSeconds: number }): string {
  return signSessionToken({ sub: String(user._id), role: user.role, ver: user.tokenVersion }, jwt.secret, jwt.ttlSeconds);
}

export async function findUserByIdentity(identityId: string): Promise<StoredUser | null> {
  const identity = await IdentityModel.findById(identityId).lean();
  if (!identity) return null;
  return UserModel.findById(identity.userId).lean<StoredUser>();
}

/** A readable default name for accounts created from an email address alone. */
export function displayNameFromEmail(email: string): string {
  const local = email.split('@')[0].replace(/[._+-]+/g, ' ').trim();
  return (local || 'Reader').slice(0, 50);
}

/**
 * Claims the identity first, then writes the user under the id the identity points to: the identity's
 * `_id` is what makes the address (or Facebook id) unique, so a second claim fails before any user exists.
 */
async function createUserWithIdentities(identityIds: string[], fields: Partial<User>): Promise<StoredUser | null> {
  const userId = new Types.ObjectId();
  const claimed: string[] = [];
  try {
    for (const identityId of identityIds) {
      await IdentityModel.create({ _id: identityId, userId });
      claimed.push(identityId);
    }
  } catch (err) {
    await IdentityModel.deleteMany({ _id: op({ $in: claimed }) });
    if (isDuplicateKey(err)) return null;
    throw err;
  }
  try {
    const created = await UserModel.create({ _id: userId, ...fields });
    return created.toObject<StoredUser>();
  } catch (err) {
    await IdentityModel.deleteMany({ _id: op({ $in: claimed }) });
    throw err;
  }
}

export async function registerWithPassword(input: { email: string; password: string; displayName: string }): Promise<StoredUser> {
  const identityId = emailIdentity(input.email);
  // Cheap check first so that a taken address does not cost an argon2 hash; the claim below still decides.
  if (await IdentityModel.exists({ _id: identityId })) throw conflict('An account with this email address already exists.');
  const user = await createUserWithIdentities([identityId], {
    email: input.email,
    displayName: input.displayName,
    emailVerified: false,
    passwordHash: await hashPassword(input.password),
  });
  if (!user) throw conflict('An account with this email address already exists.');
  return user;
}

/**
 * Someone proved they control this account's address (a sign-in link, or Facebook vouching for it).
 * If the address was never verified, whoever registered it may not be its owner: their password and
 * sessions are dropped so that a squatted registration cannot be taken over later.
 */
export async function claimUnverifiedAccount(user: StoredUser, logger: Logger): Promise<StoredUser> {
  if (user.emailVerified) return user;
  // updateOne, not findOneAndUpdate: some servers refuse the projection that hides passwordHash there.
  const updated = await UserModel.updateOne(
    { _id: user._id, emailVerified: op({ $ne: true }) },
    { $set: { emailVerified: true }, $unset: { passwordHash: 1 }, $inc: { tokenVersion: 1 } },
  );
  if (updated.modifiedCount > 0) {
    logger.info({ userId: String(user._id) }, 'unverified account claimed by its address owner; password removed');
  }
  return (await UserModel.findById(user._id).lean<StoredUser>()) ?? user;
}

/**
 * The owner of `email` opened the verification link mailed to it. Whoever set this account's password
 * may not be that owner (anyone can register any address), so unless the link is opened in a session of
 * this very account, the password is removed and every session ends: only the mailbox owner, now signed
 * in by this link, keeps the account. Returns null when the address changed since the mail was sent.
 */
export async function confirmAddress(
  userId: Types.ObjectId,
  email: string,
  confirmerUserId: string | null,
  logger: Logger,
): Promise<StoredUser | null> {
  const user = await UserModel.findOne({ _id: userId, email }).select('+passwordHash').lean<StoredUser>();
  if (!user) return null;
  if (user.emailVerified) return user;
  const sameAccount = confirmerUserId === String(user._id);
  if (sameAccount || !user.passwordHash) {
    await UserModel.updateOne({ _id: user._id, email }, { $set: { emailVerified: true } });
  } else {
    await UserModel.updateOne(
      { _id: user._id, email },
      { $set: { emailVerified: true }, $unset: { passwordHash: 1 }, $inc: { tokenVersion: 1 } },
    );
    logger.info({ userId: String(user._id) }, 'address confirmed outside the registering session; password removed, sessions ended');
  }
  return UserModel.findById(user._id).lean<StoredUser>();
}

/** Signs in the owner of a verified address, creating the account on first use. */
export async function signInWithVerifiedEmail(email: string, logger: Logger): Promise<StoredUser> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const existing = await findUserByIdentity(emailIdentity(email));
    if (existing) return claimUnverifiedAccount(existing, logger);
    const created = await createUserWithIdentities([emailIdentity(email)], {
      email,
      emailVerified: true,
      displayName: displayNameFromEmail(email),
    });
    if (created) {
      logger.info({ userId: String(created._id) }, 'account created from an email sign-in link');
      return created;
    }
  }
  throw new Error('could not create or find the account for a sign-in link');
}

export interface FacebookProfileInput {
  id: string;
  displayName: string;
  /** Only addresses Facebook has verified are given to apps. */
  email: string | null;
}

/** Finds the user by Facebook id, else links by the verified email, else creates one. */
export async function signInWithFacebook(profile: FacebookProfileInput, logger: Logger): Promise<StoredUser> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const byFacebook = await findUserByIdentity(facebookIdentity(profile.id));
    if (byFacebook) return byFacebook;

    if (profile.email) {
      const byEmail = await findUserByIdentity(emailIdentity(profile.email));
      if (byEmail) {
        try {
          await IdentityModel.create({ _id: facebookIdentity(profile.id), userId: byEmail._id });
        } catch (err) {
          if (isDuplicateKey(err)) continue;
          throw err;
        }
        await UserModel.updateOne({ _id: byEmail._id }, { $set: { facebookId: profile.id } });
        logger.info({ userId: String(byEmail._id) }, 'Facebook identity linked to an existing account');
        return claimUnverifiedAccount({ ...byEmail, facebookId: profile.id }, logger);
      }
    }

    const identities = [facebookIdentity(profile.id), ...(profile.email ? [emailIdentity(profile.email)] : [])];
    const created = await createUserWithIdentities(identities, {
      displayName: cleanExternalName(profile.displayName),
      facebookId: profile.id,
      ...(profile.email ? { email: profile.email, emailVerified: true } : {}),
    });
    if (created) {
      logger.info({ userId: String(created._id) }, 'account created from Facebook sign-in');
      return created;
    }
  }
  throw new Error('could not create or find the account for a Facebook sign-in');
}
