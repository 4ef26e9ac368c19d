import type { ModerationPhase } from '../types';

/** Comments without an account always wait for a moderator. */
export const guest: ModerationPhase = (context) => {
  if (context.author.role !== 'guest') return;
  return { status: 'pending', reasons: [{ code: 'guest' }] };
};
