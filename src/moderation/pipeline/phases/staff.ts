import type { ModerationContext } from '../types';

/**
 * Admins, and moderators on the sites they moderate, are trusted to publish at once: the hold phases
 * skip them. A moderator elsewhere is a reader like any other. Banned words still reject staff
 * comments, since a site bans a word for everyone.
 */
export function isStaff(context: ModerationContext): boolean {
  const { author, site } = context;
  if (author.role === 'admin') return true;
  return author.role === 'moderator' && (author.moderatedSiteIds ?? []).includes(site.id);
}
