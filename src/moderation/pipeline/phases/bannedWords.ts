import { definePhase } from '../types';
import { wordMatches, wordReason } from '../wordMatches';

/** A site's banned words reject the comment outright, whoever wrote it. */
export const bannedWords = definePhase({
  name: 'bannedWords',
  codes: ['banned-word'],
  run: (context) => {
    const matches = wordMatches(context, 'banned');
    if (matches.length === 0) return;
    return { status: 'rejected', reasons: [wordReason('banned-word', matches)] };
  },
});
