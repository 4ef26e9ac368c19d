import { canModerateSite, type AuthUser } from '../accounts/authenticate';

/** Site settings are not secret, but only the people who run a site need to read them. */
export function canViewSite(user: AuthUser, siteId: string): boolean {
  return canModerateSite(user, siteId);
}

/** Creating sites and changing their settings is an admin's job. */
export function canManageSites(user: AuthUser): boolean {
  return user.role === 'admin';
}
