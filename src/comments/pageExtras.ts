import { createHash } from 'node:crypto';
import type { AuthUser } from '../accounts/authenticate';
import { siteStaffIds, staffOnPage } from './staff';
import { mergeViewerVotes } from './viewerVotes';

export interface PageBody {
  body: string | Buffer;
  etag: string | null;
}

/**
 * What a thread page gains after the page cache, for the widget: `staff` (the site's moderators and
 * admins among the page's authors, for a badge) and, for a signed-in viewer, `viewerVote` on the
 * comments they voted on. Votes are per viewer, so they never enter the shared cached page. Everything
 * merged in is part of the validator, so a 304 never hides a changed vote or badge.
 */
export async function withPageExtras(page: PageBody, siteId: string, viewer: AuthUser | null): Promise<PageBody> {
  const siteStaff = await siteStaffIds(siteId);
  if (!viewer && siteStaff.length === 0) return page;
  let text = page.body.toString();
  const staff = staffOnPage(text, siteStaff);
  let votes = '';
  if (viewer) {
    const merged = await mergeViewerVotes(text, viewer.id);
    text = merged.json;
    votes = merged.fingerprint;
  }
  if (staff.length === 0 && !viewer) return page;
  if (staff.length > 0) text = `{"staff":${JSON.stringify(staff)},${text.slice(1)}`;
  const extra = createHash('sha1').update(`${staff.join(',')}|${votes}`).digest('base64url').slice(0, 12);
  // The extras go inside the quotes, so a weak validator stays weak.
  const etag = page.etag ? `${page.etag.slice(0, -1)}.${extra}"` : null;
  return { body: text, etag };
}
