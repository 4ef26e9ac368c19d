import { isValidObjectId, Types, type UpdateQuery } from 'mongoose';
import { isBanActive, type AuthUser } from '../accounts/authenticate';
import { UserModel, type User, type UserDocument } from '../accounts/user.model';
import { publishChange, subscribeChanges } from '../changes/feed';
import { badRequest, forbidden, notFound } from '../http/problem';
import { ModerationActionModel } from './moderationAction.model';
import { SiteBanModel, siteBanKey, type SiteBan } from './siteBan.model';
import { op } from '../db/atomic';

type StoredUser = Pick<UserDocument, '_id' | 'displayName' | 'email' | 'role' | 'emailVerified' | 'banned' | 'bannedUntil'>;

/**
 * `siteId` of a change that concerns every site (a global ban). Listeners that follow one site should
 * treat it as theirs too.
 */
export const EVERY_SITE = '*';

async function loadTarget(actor: AuthUser, userId: string) {
  if (!isValidObjectId(userId)) throw notFound('No such user.');
  const target = await UserModel.findById(userId).lean();
  if (!target) throw notFound('No such user.');
  if (String(target._id) === actor.id) throw forbidden('You cannot ban or unban yourself.');
  // Moderators act on readers; only admins act on staff.
  if (actor.role !== 'admin' && target.role !== 'commenter') throw forbidden('Only an admin can ban moderators and admins.');
  return target;
}

/**
 * Applies a global ban change and records it in the user's history; updateOne then read, because
 * findAndModify with the schema's hidden passwordHash projection is not portable. Admins only.
 */
async function changeBan(
  actor: AuthUser,
  userId: string,
  update: UpdateQuery<User>,
  record: { action: 'banned' | 'unbanned'; reason?: string; note?: string | null },
): Promise<StoredUser> {
  if (actor.role !== 'admin') throw forbidden('Only an admin bans on every site; a site\'s moderators ban on their site.');
  const target = await loadTarget(actor, userId);
  await UserModel.updateOne({ _id: target._id }, update);
  const updated = await UserModel.findById(target._id).lean();
  if (!updated) throw notFound('No such user.');
  await ModerationActionModel.create({ targetUserId: target._id, actorId: new Types.ObjectId(actor.id), ...record });
  await publishChange({ type: record.action === 'banned' ? 'user.banned' : 'user.unbanned', siteId: EVERY_SITE, userId });
  return updated;
}

/** Bans a user on every site until a time or for good; bumping tokenVersion ends every session they have. */
export function banUser(actor: AuthUser, userId: string, input: { reason: string; until?: Date }): Promise<StoredUser> {
  return changeBan(
    actor,
    userId,
    { $set: { banned: true, bannedUntil: input.until ?? null, banReason: input.reason }, $inc: { tokenVersion: 1 } },
    { action: 'banned', reason: input.reason, note: input.until ? `until ${input.until.toISOString()}` : null },
  );
}

export function unbanUser(actor: AuthUser, userId: string): Promise<StoredUser> {
  return changeBan(actor, userId, { $set: { banned: false, bannedUntil: null, banReason: null } }, { action: 'unbanned' });
}

export interface SiteBanJson {
  id: string;
  siteId: string;
  userId: string;
  user: { id: string; displayName: string };
  reason: string;
  until: string | null;
  createdBy: string;
  createdAt: string;
}

function toSiteBanJson(ban: SiteBan, displayName: string): SiteBanJson {
  return {
    id: ban._id,
    siteId: String(ban.siteId),
    userId: String(ban.userId),
    user: { id: String(ban.userId), displayName },
    reason: ban.reason,
    until: ban.until ? ban.until.toISOString() : null,
    createdBy: String(ban.actorId),
    createdAt: ban.createdAt.toISOString(),
  };
}

/** The caller has already been checked to moderate `siteId` (see loadModeratedSite). */
export async function banOnSite(
  actor: AuthUser,
  siteId: string,
  input: { userId: string; reason: string; until?: Date },
): Promise<SiteBanJson> {
  const target = await loadTarget(actor, input.userId);
  const key = siteBanKey(siteId, input.userId);
  const fields = {
    siteId: new Types.ObjectId(siteId),
    userId: target._id,
    reason: input.reason,
    until: input.until ?? null,
    actorId: new Types.ObjectId(actor.id),
  };
  // One ban per user and site: banning again replaces its reason and end.
  await SiteBanModel.replaceOne({ _id: key }, fields, { upsert: true });
  const ban = await SiteBanModel.findById(key).lean<SiteBan>();
  if (!ban) throw notFound('No such ban.');
  await ModerationActionModel.create({
    siteId: fields.siteId,
    targetUserId: target._id,
    action: 'banned',
    actorId: fields.actorId,
    reason: input.reason,
    note: input.until ? `until ${input.until.toISOString()}` : null,
  });
  await publishChange({ type: 'user.banned', siteId, userId: input.userId });
  return toSiteBanJson(ban, target.displayName);
}

export async function liftSiteBan(actor: AuthUser, siteId: string, userId: string): Promise<void> {
  if (!isValidObjectId(userId)) throw notFound('No such ban.');
  const removed = await SiteBanModel.findOneAndDelete({ _id: siteBanKey(siteId, userId) }).lean<SiteBan>();
  if (!removed) throw notFound('This user is not banned on this site.');
  await ModerationActionModel.create({
    siteId: new Types.ObjectId(siteId),
    targetUserId: new Types.ObjectId(userId),
    action: 'unbanned',
    actorId: new Types.ObjectId(actor.id),
  });
  await publishChange({ type: 'user.unbanned', siteId, userId });
}

/** A site's bans, keyed by `_id` (`siteId:userId`), so a page is one index range. */
export async function listSiteBans(
  siteId: string,
  options: { limit: number; cursor?: string },
): Promise<{ items: SiteBanJson[]; nextCursor: string | null }> {
  const filter: Record<string, unknown> = { siteId: new Types.ObjectId(siteId) };
  if (options.cursor) {
    const after = Buffer.from(options.cursor, 'base64url').toString('utf8');
    if (!after.startsWith(`${siteId}:`)) throw badRequest('The cursor is not valid for this list.', [{ path: 'cursor', message: 'not a cursor' }]);
    filter._id = op({ $gt: after });
  }
  const page = await SiteBanModel.find(filter).sort({ _id: 1 }).limit(options.limit + 1).lean<SiteBan[]>();
  const hasMore = page.length > options.limit;
  const bans = hasMore ? page.slice(0, options.limit) : page;
  const users = bans.length ? await UserModel.find({ _id: op({ $in: bans.map((b) => b.userId) }) }, { displayName: 1 }).lean() : [];
  const names = new Map(users.map((u) => [String(u._id), u.displayName]));
  return {
    items: bans.map((ban) => toSiteBanJson(ban, names.get(String(ban.userId)) ?? '[deleted]')),
    nextCursor: hasMore ? Buffer.from(bans[bans.length - 1]._id).toString('base64url') : null,
  };
}

/** The bans of one user on one site (at most one), active or run out. */
export function siteBansOf(siteId: string, userId: string): Promise<SiteBan[]> {
  return SiteBanModel.find({ _id: siteBanKey(siteId, userId) }).lean<SiteBan[]>();
}

/**
 * Site bans as last read, per site and user, so that a write by someone not banned costs no read:
 * dropped when a ban change for that user is heard (at once for this process's, within a second for
 * another instance's, through the change feed), and kept at most BAN_MEMORY_MS in case a notice was lost.
 */
const BAN_MEMORY_MS = 30_000;
const knownSiteBans = new Map<string, { until: Date | null; banned: boolean; at: number }>();
/** Moves with every ban change heard, so a read that raced one is not kept. */
let banChanges = 0;

subscribeChanges(
  (change) => {
    if ((change.type !== 'user.banned' && change.type !== 'user.unbanned') || !change.userId) return;
    banChanges += 1;
    if (change.siteId !== EVERY_SITE) {
      knownSiteBans.delete(siteBanKey(change.siteId, change.userId));
      return;
    }
    for (const key of knownSiteBans.keys()) if (key.endsWith(`:${change.userId}`)) knownSiteBans.delete(key);
  },
  { sync: true },
);

async function siteBanOf(siteId: string, userId: string): Promise<{ banned: boolean; until: Date | null }> {
  const key = siteBanKey(siteId, userId);
  const known = knownSiteBans.get(key);
  if (known && Date.now() - known.at < BAN_MEMORY_MS) return known;
  const changesBefore = banChanges;
  const ban = await SiteBanModel.findById(key, { until: 1 }).lean<Pick<SiteBan, 'until'>>();
  const found = { banned: ban !== null, until: ban?.until ?? null, at: Date.now() };
  if (banChanges === changesBefore) {
    knownSiteBans.delete(key);
    knownSiteBans.set(key, found);
    if (knownSiteBans.size > 50_000) knownSiteBans.delete(knownSiteBans.keys().next().value as string);
  }
  return found;
}

/**
 * Refuses a banned user (everywhere, or on this site) before they post, edit, vote or flag. At most
 * one read by primary key, remembered until a ban change for the user is heard.
 */
export async function assertNotBanned(viewer: AuthUser, siteId: string, doing: string): Promise<void> {
  if (viewer.banned) throw forbidden(`Your account is banned from ${doing}.`);
  const ban = await siteBanOf(siteId, viewer.id);
  if (ban.banned && isBanActive({ banned: true, bannedUntil: ban.until })) {
    throw forbidden(`Your account is banned from ${doing} on this site.`);
  }
}
