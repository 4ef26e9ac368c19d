import { isBanActive, type AuthUser } from './authenticate';
import type { UserJson } from './schemas';
import type { Role } from './user.model';

/** The fields of a stored user that the public `user` object is built from. */
export interface SerializableUser {
  _id: unknown;
  displayName: string;
  email?: string | null;
  role: Role;
  emailVerified?: boolean | null;
  banned?: boolean | null;
  bannedUntil?: Date | null;
}

export type { UserJson } from './schemas';

/** Who is looking decides whether `email` is shown: only the owner and admins see it (not moderators). */
export function toUserJson(user: SerializableUser, viewer: Pick<AuthUser, 'id' | 'role'> | null | undefined): UserJson {
  const id = String(user._id);
  const maySee = viewer ? viewer.id === id || viewer.role === 'admin' : false;
  return {
    id,
    displayName: user.displayName,
    ...(maySee && user.email ? { email: user.email } : {}),
    role: user.role,
    emailVerified: Boolean(user.emailVerified),
    banned: isBanActive(user),
  };
}
