import type { AuthUser } from '../accounts/authenticate';
import { toUserJson, type SerializableUser, type UserJson } from '../accounts/userJson';

/** The API's `user` shape as a moderator sees it, plus the ban's details. */
export function toModeratedUserJson(
  user: SerializableUser & { banReason?: string | null },
  viewer: AuthUser,
): UserJson & { bannedUntil: string | null; banReason: string | null } {
  return {
    ...toUserJson(user, viewer),
    bannedUntil: user.bannedUntil ? user.bannedUntil.toISOString() : null,
    banReason: user.banReason ?? null,
  };
}
