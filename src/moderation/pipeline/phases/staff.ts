import type { ModerationContext } from '../types';

/**
 * Moderators and admins are trusted to publish at once: the hold phases skip them. Banned words
 * still reject their comments, since a site bans a word for everyone.
 */
export function isStaff(context: ModerationContext): boolean {
  return context.author.role === 'moderator' || context.author.role === 'admin';
}
