import { isValidObjectId, Types, type UpdateQuery } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { UserModel, type User, type UserDocument } from '../accounts/user.model';
import { forbidden, notFound } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';

type StoredUser = Pick<UserDocument, '_id' | 'displayName' | 'email' | 'role' | 'emailVerified' | 'banned' | 'bannedUntil'>;

async function loadTarget(actor: AuthUser, userId: string) {
  if (!isValidObjectId(userId)) throw notFound('No such user.');
  const target = await UserModel.findById(userId).lean();
  if (!target) throw notFound('No such user.');
  if (String(target._id) === actor.id) throw forbidden('You cannot ban or unban yourself.');
  // Moderators act on readers; only admins act on staff.
  if (actor.role !== 'admin' && target.role !== 'commenter') throw forbidden('Only an admin can ban moderators and admins.');
  return target;
}

/**
 * Applies a ban change and records it in the user's history; updateOne then read, because findAndModify
 * with the schema's hidden passwordHash projection is not portable.
 */
async function changeBan(
  actor: AuthUser,
  userId: string,
  update: UpdateQuery<User>,
  record: { action: 'banned' | 'unbanned'; reason?: string; note?: string | null },
): Promise<StoredUser> {
  const target = await loadTarget(actor, userId);
  await UserModel.updateOne({ _id: target._id }, update);
  const updated = await UserModel.findById(target._id).lean();
  if (!updated) throw notFound('No such user.');
  await ModerationActionModel.create({ targetUserId: target._id, actorId: new Types.ObjectId(actor.id), ...record });
  return updated;
}

/** Bans a user until a time or for good; bumping tokenVersion ends every session they have. */
export function banUser(actor: AuthUser, userId: string, input: { reason: string; until?: Date }): Promise<StoredUser> {
  return changeBan(
    actor,
    userId,
    { $set: { banned: true, bannedUntil: input.until ?? null, banReason: input.reason }, $inc: { tokenVersion: 1 } },
    { action: 'banned', reason: input.reason, note: input.until ? `until ${input.until.toISOString()}` : null },
  );
}

export function unbanUser(actor: AuthUser, userId: string): Promise<StoredUser> {
  return changeBan(actor, userId, { $set: { banned: false, bannedUntil: null, banReason: null } }, { action: 'unbanned' });
}
