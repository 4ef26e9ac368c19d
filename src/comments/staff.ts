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
