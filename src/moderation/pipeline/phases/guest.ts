import { definePhase } from '../types';

/** Comments without an account always wait for a moderator. */
export const guest = definePhase({
  name: 'guest',
  codes: ['guest'],
  run: (context) => {
    if (context.author.role !== 'guest') return;
    return { status: 'pending', reasons: [{ code: 'guest' }] };
  },
});
