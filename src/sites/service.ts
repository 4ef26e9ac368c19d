import { isValidObjectId, type Types } from 'mongoose';
import { publishChange, subscribeChanges } from '../changes/feed';
import { notFound } from '../http/problem';
import { isObjectIdString } from '../http/validate';
import { DEFAULT_SITE_SETTINGS, SiteModel, type PremoderationMode, type SiteSettings } from './site.model';

import type { SiteJson } from './schemas';

export type { SiteJson } from './schemas';

/** A site as read from the database (lean). */
export interface SiteRecord {
  _id: Types.ObjectId;
  name: string;
  origins: string[];
  settings?: Partial<SiteSettings> | null;
  wordListVersion?: number | null;
  createdAt?: Date | null;
}

/** Settings with every default filled in, so older documents read like new ones. */
export function siteSettings(site: Pick<SiteRecord, 'settings'>): SiteSettings {
  const stored = site.settings ?? {};
  return {
    premoderation: (stored.premoderation ?? DEFAULT_SITE_SETTINGS.premoderation) as PremoderationMode,
    bannedWords: [...(stored.bannedWords ?? [])],
    suspectWords: [...(stored.suspectWords ?? [])],
    allowedPhrases: [...(stored.allowedPhrases ?? [])],
    maxLinks: stored.maxLinks ?? DEFAULT_SITE_SETTINGS.maxLinks,
    editWindowSeconds: stored.editWindowSeconds ?? DEFAULT_SITE_SETTINGS.editWindowSeconds,
    maxDepth: stored.maxDepth ?? DEFAULT_SITE_SETTINGS.maxDepth,
    flagThreshold: stored.flagThreshold ?? DEFAULT_SITE_SETTINGS.flagThreshold,
    allowGuests: stored.allowGuests ?? DEFAULT_SITE_SETTINGS.allowGuests,
    requireVerifiedEmail: stored.requireVerifiedEmail ?? DEFAULT_SITE_SETTINGS.requireVerifiedEmail,
  };
}

export function toSiteJson(site: SiteRecord): SiteJson {
  return {
    id: String(site._id),
    name: site.name,
    origins: [...site.origins],
    settings: siteSettings(site),
    wordListVersion: site.wordListVersion ?? 0,
    createdAt: site.createdAt ? site.createdAt.toISOString() : null,
  };
}

/** Reads a site per request (no cache, so settings changes apply at once). Unknown or malformed ids are a 404. */
export async function getSite(siteId: string): Promise<SiteRecord> {
  const site = isValidObjectId(siteId) && isObjectIdString(siteId)
    ? await SiteModel.findById(siteId).lean<SiteRecord>()
    : null;
  if (!site) throw notFound('No site with this id.');
  return site;
}

const cachedSites = new Map<string, SiteRecord>();
let siteGeneration = 0;
subscribeChanges(
  (change) => {
    if (change.type !== 'site.changed') return;
    siteGeneration += 1;
    cachedSites.delete(change.siteId);
  },
  { sync: true },
);

/**
 * A site from memory, for hot paths (thread pages, posting): read once, then kept until a
 * `site.changed` change arrives (at once in this process, within a second from other instances).
 * Every write to a site must publish `site.changed`.
 */
export async function getSiteCached(siteId: string): Promise<SiteRecord> {
  const cached = cachedSites.get(siteId);
  if (cached) return cached;
  const generation = siteGeneration;
  const site = await getSite(siteId);
  if (generation === siteGeneration) {
    if (cachedSites.size >= 10_000) cachedSites.delete(cachedSites.keys().next().value as string);
    cachedSites.set(siteId, site);
  }
  return site;
}

/**
 * Only the origins, for CORS; null when the site does not exist. From the kept site (see
 * getSiteCached), so a browser's call carrying an Origin costs no database read; a change of a
 * site's origins publishes `site.changed` like every site write.
 */
export async function findSiteOrigins(siteId: string): Promise<string[] | null> {
  if (!isObjectIdString(siteId)) return null;
  const site = cachedSites.get(siteId) ?? (await getSiteCached(siteId).catch(() => null));
  return site ? site.origins : null;
}

export async function createSite(input: {
  name: string;
  origins: string[];
  settings?: Partial<SiteSettings>;
  createdBy: string;
}): Promise<SiteJson> {
  const site = await SiteModel.create({
    name: input.name,
    origins: input.origins,
    settings: { ...DEFAULT_SITE_SETTINGS, ...input.settings },
    createdBy: input.createdBy,
  });
  return toSiteJson(site.toObject() as SiteRecord);
}

/** Applies a partial settings change; a word list change bumps wordListVersion so cached matchers rebuild. */
export async function updateSiteSettings(siteId: string, patch: Partial<SiteSettings>): Promise<SiteJson> {
  await getSite(siteId);
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) set[`settings.${key}`] = value;
  }
  const wordListsChanged =
    patch.bannedWords !== undefined || patch.suspectWords !== undefined || patch.allowedPhrases !== undefined;
  const update: Record<string, unknown> = {};
  if (Object.keys(set).length > 0) update.$set = set;
  if (wordListsChanged) update.$inc = { wordListVersion: 1 };
  const site =
    Object.keys(update).length > 0
      ? await SiteModel.findByIdAndUpdate(siteId, update, { returnDocument: 'after', runValidators: true }).lean<SiteRecord>()
      : await SiteModel.findById(siteId).lean<SiteRecord>();
  if (!site) throw notFound('No site with this id.');
  await publishChange({ type: 'site.changed', siteId: String(site._id) });
  return toSiteJson(site);
}
