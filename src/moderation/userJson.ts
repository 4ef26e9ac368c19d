import { isBanActive, type AuthUser } from '../accounts/authenticate';
import type { Role } from '../accounts/user.model';

interface StoredUser {
  _id: unknown;
  displayName: string;
  email?: string | null;
  role: Role;
  emailVerified?: boolean | null;
  banned?: boolean | null;
  bannedUntil?: Date | null;
  banReason?: string | null;
}

/** The API's `user` shape, as a moderator sees it, with the ban's details. */
export function toModeratedUserJson(user: StoredUser, viewer: AuthUser) {
  const maySeeEmail = viewer.role === 'moderator' || viewer.role === 'admin' || viewer.id === String(user._id);
  return {
    id: String(user._id),
    displayName: user.displayName,
    ...(maySeeEmail && user.email ? { email: user.email } : {}),
    role: user.role,
    emailVerified: Boolean(user.emailVerified),
    banned: isBanActive(user),
    bannedUntil: user.bannedUntil ? user.bannedUntil.toISOString() : null,
    banReason: user.banReason ?? null,
  };
}
