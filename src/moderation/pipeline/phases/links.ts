import { definePhase } from '../types';
import { isStaff } from './staff';

/** http(s) URLs and bare www. hosts; a "www." inside an http URL is counted once, with its URL. */
const LINK = /\bhttps?:\/\/[^\s<>"']+|(?<![\w./-])www\.[^\s<>"']+/gi;

export function countLinks(body: string): number {
  return body.match(LINK)?.length ?? 0;
}

/** More links than the site allows looks like spam: hold it. */
export const links = definePhase({
  name: 'links',
  codes: ['too-many-links'],
  run: (context) => {
    if (isStaff(context)) return;
    const count = countLinks(context.body) + (context.author.website ? 1 : 0);
    if (count <= context.site.settings.maxLinks) return;
    return {
      status: 'pending',
      reasons: [{ code: 'too-many-links', detail: `${count} links; at most ${context.site.settings.maxLinks} allowed` }],
    };
  },
});
