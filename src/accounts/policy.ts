import { canModerateSite, type AuthUser } from './authenticate';
import { HttpProblem } from '../http/problem';

/**
 * Rules about what an account may do by how much it has proved: a confirmed address, and age.
 * They close the cheapest abuse: throwaway accounts that vote, flag or hide comments in seconds.
 */

/** Votes and flags need a confirmed email address (API.md, Readers). */
export function assertVerifiedFor(viewer: AuthUser, action: 'vote' | 'flag' | 'post'): void {
  if (viewer.emailVerified) return;
  const verb = action === 'post' ? 'post on this site' : action;
  throw new HttpProblem(403, 'Forbidden', `Confirm your email address to ${verb}: verify it from the mail we sent, or ask for a new one.`, {
    slug: 'email-not-verified',
  });
}

/** An account younger than this is "new": its flags weigh a third. */
export const FLAG_NEW_ACCOUNT_DAYS = 7;
/** Flag weights are whole units so that sums stay exact: an established flag is 3 units, a new account's 1. */
export const FLAG_WEIGHT_UNITS = 3;

/**
 * How much one flag counts towards the site's flagThreshold, in units of FLAG_WEIGHT_UNITS per flag.
 * Established accounts (at least FLAG_NEW_ACCOUNT_DAYS old) and the site's own moderators count fully;
 * a newer account counts one third, so three fresh accounts weigh as much as one established reader.
 */
export function flagWeightUnits(viewer: AuthUser, siteId: string, now = Date.now()): number {
  if (canModerateSite(viewer, siteId)) return FLAG_WEIGHT_UNITS;
  const ageMs = now - viewer.createdAt.getTime();
  return ageMs >= FLAG_NEW_ACCOUNT_DAYS * 86_400_000 ? FLAG_WEIGHT_UNITS : 1;
}
