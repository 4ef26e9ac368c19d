import { definePhase } from '../types';
import { wordMatches, wordReason } from '../wordMatches';
import { isStaff } from './staff';

/** Words from the base profanity list hold the comment for a moderator. */
export const profanity = definePhase({
  name: 'profanity',
  codes: ['profanity'],
  run: (context) => {
    if (isStaff(context)) return;
    const matches = wordMatches(context, 'profanity');
    if (matches.length === 0) return;
    return { status: 'pending', reasons: [wordReason('profanity', matches)] };
  },
});
