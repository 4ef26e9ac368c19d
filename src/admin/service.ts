import { isValidObjectId, Types } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { UserModel } from '../accounts/user.model';
import { toUserJson, type UserJson } from '../accounts/userJson';
import { decodeIdCursor, encodeIdCursor } from '../http/idCursor';
import { notFound } from '../http/problem';
import { getSite, toSiteJson, type SiteJson, type SiteRecord } from '../sites/service';
import { SiteModel } from '../sites/site.model';
import { op } from '../db/atomic';

/** Every site for an admin, the moderated ones for a moderator; paged on `_id`. */
export async function listSites(
  viewer: AuthUser,
  options: { limit: number; cursor?: string },
): Promise<{ items: SiteJson[]; nextCursor: string | null }> {
  const filter: Record<string, unknown> = {};
  const idRange: Record<string, unknown> = {};
  if (viewer.role !== 'admin') idRange.$in = viewer.moderatedSiteIds.filter((id) => isValidObjectId(id)).map((id) => new Types.ObjectId(id));
  if (options.cursor) idRange.$gt = decodeIdCursor(options.cursor);
  if (Object.keys(idRange).length) filter._id = op(idRange);
  const page = await SiteModel.find(filter).sort({ _id: 1 }).limit(options.limit + 1).lean<SiteRecord[]>();
  const hasMore = page.length > options.limit;
  const sites = hasMore ? page.slice(0, options.limit) : page;
  return { items: sites.map(toSiteJson), nextCursor: hasMore ? encodeIdCursor(sites[sites.length - 1]._id) : null };
}

/** The site's moderators (not admins, who moderate every site). Emails only for an admin viewer. */
export async function listModerators(viewer: AuthUser, siteId: string): Promise<{ items: UserJson[] }> {
  const users = await UserModel.find({ role: 'moderator', moderatedSiteIds: new Types.ObjectId(siteId) })
    .sort({ displayName: 1, _id: 1 })
    .limit(500)
    .lean();
  return { items: users.map((user) => toUserJson(user, viewer)) };
}

async function loadUser(userId: string) {
  if (!isValidObjectId(userId) || !/^[a-f0-9]{24}$/i.test(userId)) throw notFound('No such user.');
  const user = await UserModel.findById(userId).lean();
  if (!user) throw notFound('No such user.');
  return user;
}

/** Makes a user a moderator of the site; an admin stays an admin (they moderate everything already). */
export async function grantModerator(siteId: string, userId: string): Promise<void> {
  await getSite(siteId);
  const user = await loadUser(userId);
  const siteObjectId = new Types.ObjectId(siteId);
  await UserModel.updateOne(
    { _id: user._id },
    { $addToSet: { moderatedSiteIds: siteObjectId }, ...(user.role === 'commenter' ? { $set: { role: 'moderator' } } : {}) },
  );
}

/** Takes the site away; a moderator left with no site becomes a commenter again. */
export async function revokeModerator(siteId: string, userId: string): Promise<void> {
  await getSite(siteId);
  const user = await loadUser(userId);
  await UserModel.updateOne({ _id: user._id }, { $pull: { moderatedSiteIds: new Types.ObjectId(siteId) } });
  if (user.role === 'moderator') {
    await UserModel.updateOne({ _id: user._id, role: 'moderator', moderatedSiteIds: op({ $size: 0 }) }, { $set: { role: 'commenter' } });
  }
}
