import { definePhase } from '../types';
import { wordMatches, wordReason } from '../wordMatches';
import { isStaff } from './staff';

/** A site's suspect words hold the comment for a moderator. */
export const suspectWords = definePhase({
  name: 'suspectWords',
  codes: ['suspect-word'],
  run: (context) => {
    if (isStaff(context)) return;
    const matches = wordMatches(context, 'suspect');
    if (matches.length === 0) return;
    return { status: 'pending', reasons: [wordReason('suspect-word', matches)] };
  },
});
