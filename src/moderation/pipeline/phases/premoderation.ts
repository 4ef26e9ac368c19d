import { definePhase } from '../types';
import { isStaff } from './staff';

/** The site's premoderation mode: every comment, or a reader's first one, waits for a moderator. */
export const premoderation = definePhase({
  name: 'premoderation',
  codes: ['premoderation', 'first-comment'],
  run: (context) => {
    if (isStaff(context)) return;
    const mode = context.site.settings.premoderation;
    if (mode === 'all') return { status: 'pending', reasons: [{ code: 'premoderation' }] };
    if (mode === 'first-comment' && !context.author.hasApprovedComment) {
      return { status: 'pending', reasons: [{ code: 'first-comment' }] };
    }
  },
});
