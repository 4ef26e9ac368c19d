import { Types } from 'mongoose';
import { UserModel } from '../accounts/user.model';

/** Staff lists change rarely; a minute's delay before a new moderator's badge shows is fine. */
const STAFF_TTL_MS = 60_000;
const staffBySite = new Map<string, { at: number; ids: Promise<string[]> }>();

/**
 * The ids of the people who moderate a site (its moderators and every admin), so the widget can mark
 * their comments. Kept per site for a minute, so a cached thread page stays one cheap read.
 */
export function siteStaffIds(siteId: string, now = Date.now()): Promise<string[]> {
  const cached = staffBySite.get(siteId);
  if (cached && now - cached.at < STAFF_TTL_MS) return cached.ids;
  const ids = UserModel.find(
    { $or: [{ role: 'admin' }, { role: 'moderator', moderatedSiteIds: new Types.ObjectId(siteId) }] },
    { _id: 1 },
  )
    .limit(500)
    .lean()
    .then((users) => users.map((user) => String(user._id)));
  ids.catch(() => staffBySite.delete(siteId));
  staffBySite.set(siteId, { at: now, ids });
  return ids;
}

/** Forgets every kept staff list, so the next page reads them afresh (tests; a change of moderators). */
export function forgetSiteStaff(): void {
  staffBySite.clear();
}

const AUTHOR_ID = /"author":\{"id":"([a-f0-9]{24})"/g;

/**
 * The staff among a page's authors, read from the page's JSON text (no parse: this runs on every cache
 * hit). Pages without a staff author carry no list at all.
 */
export function staffOnPage(pageJson: string, staffIds: string[]): string[] {
  if (staffIds.length === 0) return [];
  const staff = new Set(staffIds);
  const found = new Set<string>();
  for (const match of pageJson.matchAll(AUTHOR_ID)) if (staff.has(match[1])) found.add(match[1]);
  return [...found];
}
