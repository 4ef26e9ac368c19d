import type { AuthUser } from '../accounts/authenticate';
import { createHash } from 'node:crypto';
import { getSiteCached, siteSettings } from '../sites/service';
import type { SiteSettings } from '../sites/site.model';
import { subscribeChanges, type CommentSnapshot } from '../changes/feed';
import {
  approvedCountOfArticle,
  approvedCountWithRevision,
  articleStamp,
  changesSince,
  completeChange,
  viewerMayHavePending,
} from './articleVersion';
import { decodeCursor, encodeCursor, type ThreadCursor, type ThreadSort } from './cursor';
import { LruCache } from './lruCache';
import { compareRoots, patchPage, rootKey, rootPoint, type PageRecords, type PageShape } from './pagePatch';
import { readComment, readDescendants, readHeldComments, readRoots } from './store';
import { buildThread, highestScoreFirst, oldestFirst } from './tree';
import type { CommentJson, CommentRecord } from './view';

export interface ThreadPage {
  comments: CommentJson[];
  nextCursor: string | null;
  total: number;
}

function cursorAfter(root: CommentRecord, sort: ThreadSort): string {
  return encodeCursor({ sort, key: rootKey(root, sort), id: String(root._id) });
}

export interface ThreadQuery {
  siteId: string;
  articleId: string;
  sort: ThreadSort;
  limit: number;
  cursor?: string;
  viewer: AuthUser | null;
}

/**
 * The records of one page of a thread: `limit` roots from one indexed query, then all their visible
 * descendants in one more query, and the article's approved count from its document by `_id`. Paging
 * is by the roots' sort key and id, so comments posted between pages cause neither duplicates nor
 * gaps. (For `top`, scores that change between pages can still move a root across the cursor; that is
 * inherent to ranking by a live score.)
 */
async function loadPage(input: ThreadQuery, cursor: ThreadCursor | null): Promise<PageRecords> {
  const site = await getSiteCached(input.siteId);
  const [found, count] = await Promise.all([
    readRoots(site._id, input.articleId, input.viewer, input.sort, cursor, input.limit + 1),
    approvedCountWithRevision(input.siteId, input.articleId),
  ]);
  const roots = found.slice(0, input.limit);
  const descendants = await readDescendants(site._id, input.articleId, roots.map((root) => root._id), input.viewer);
  return { found, descendants, total: count.count, totalRev: count.rev };
}

function assemblePage(records: PageRecords, input: ThreadQuery): ThreadPage {
  const roots = records.found.slice(0, input.limit);
  return {
    comments: buildThread(roots, records.descendants, input.sort === 'top' ? highestScoreFirst : oldestFirst),
    nextCursor: records.found.length > input.limit ? cursorAfter(roots[roots.length - 1], input.sort) : null,
    total: records.total,
  };
}

/**
 * The page a reader with held comments of their own sees, from the public page's records and one
 * query for their held comments in the article. It is the page built for them from scratch would be:
 * their held roots after the cursor compete with the public roots for the page's `limit` places (the
 * public records keep `limit + 1` roots, enough to decide every place), and a held reply hangs under
 * its parent wherever that is in the page, in the same reply order, tombstones kept by the same rules.
 */
async function mergeHeldComments(
  input: ThreadQuery,
  viewer: AuthUser,
  cursor: ThreadCursor | null,
  publicRecords: PageRecords,
): Promise<ThreadPage> {
  const held = await readHeldComments(input.siteId, input.articleId, viewer.id);
  // A status change racing this read could find a comment in both; the public page's copy wins.
  const inPublic = new Set([...publicRecords.found, ...publicRecords.descendants].map((comment) => String(comment._id)));
  const own = held.filter((comment) => !inPublic.has(String(comment._id)));
  const { sort } = input;
  const ownRoots = own.filter(
    (comment) =>
      (comment.parentId ?? null) === null &&
      (!cursor || compareRoots(sort, rootPoint(comment, sort), { key: cursor.key, id: cursor.id }) > 0),
  );
  const found = [...publicRecords.found, ...ownRoots]
    .sort((a, b) => compareRoots(sort, rootPoint(a, sort), rootPoint(b, sort)))
    .slice(0, input.limit + 1);
  const onPage = new Set(found.slice(0, input.limit).map((root) => String(root._id)));
  const ownReplies = own.filter((comment) => comment.depth > 0 && comment.rootId !== null && onPage.has(String(comment.rootId)));
  return assemblePage({ ...publicRecords, found, descendants: [...publicRecords.descendants, ...ownReplies] }, input);
}

/** A page ready to send: its body, and its ETag when it is the shared public page (null for one reader's own page). */
export interface ThreadPageBody {
  body: Buffer;
  etag: string | null;
}

interface CachedPage {
  /** The article's version (articleStamp) read before the page was loaded. */
  stamp: number;
  builtAt: number;
  body: Buffer;
  etag: string;
  /** What the page was built from, for merging in one reader's held comments and for patching it. */
  records: PageRecords;
  shape: PageShape;
}

/**
 * A cached page is rebuilt after this long even under the same version, so that a change whose
 * notice was lost (the database went away between a write and its feed entry) shows within a minute.
 * The reader who finds it expired still gets it; one rebuild runs behind them.
 */
export const PAGE_MAX_AGE_MS = 60_000;

/** Default bound of the page cache; PAGE_CACHE_MB sets it (see .env.example). */
export const DEFAULT_PAGE_CACHE_BYTES = 64 * 1024 * 1024;
let publicPages = new LruCache<CachedPage>(DEFAULT_PAGE_CACHE_BYTES);

/** Sets the page cache's bound in bytes (emptying it); called once at start. */
export function configurePageCache(maxBytes: number): void {
  publicPages = new LruCache<CachedPage>(maxBytes);
}

let builds = 0;
let patches = 0;

/**
 * How much the page cache holds, how many public pages were built from the database and how many
 * were patched in memory so far, for tests and benchmarks.
 */
export function pageCacheStats(): { entries: number; bytes: number; builds: number; patches: number } {
  return { entries: publicPages.size, bytes: publicPages.bytes, builds, patches };
}

/** The bytes a cached page costs: its body, and its records counted at about twice the body they made. */
const pageBytes = (body: Buffer): number => body.length * 3 + 512;

/** Builds in flight, one per page key. */
const building = new Map<string, { stamp: number; done: Promise<CachedPage> }>();

/**
 * The body a reader gets: the page, with what the widget needs of the site's settings beside it (the
 * edit window, and whether a signed-out reader may post as a guest). Settings changes invalidate pages.
 */
function encodePage(page: ThreadPage, settings: SiteSettings): Buffer {
  const allowGuests = settings.allowGuests && !settings.requireVerifiedEmail;
  return Buffer.from(JSON.stringify({ editWindowSeconds: settings.editWindowSeconds, allowGuests, ...page }));
}

const etagOf = (body: Buffer): string => `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;

/**
 * The cached page brought up to the article's current version in memory, from the changes heard
 * since it was built: this process's writes carry the comment as written, so no database read is
 * needed; other instances' comment changes are patched once the comment they name has been read
 * (`stale` until then). Otherwise what the reader should do: `stale-rebuild` when only other
 * instances' changes are missing (the previous copy is answered while one rebuild runs), `rebuild`
 * when one of this process's writes is (its writer must see it, so readers wait for the one rebuild).
 */
async function patchedPage(
  key: string,
  cached: CachedPage,
  input: ThreadQuery,
): Promise<CachedPage | 'stale' | 'stale-rebuild' | 'rebuild'> {
  const site = await getSiteCached(input.siteId);
  const entries = changesSince(input.siteId, input.articleId, cached.stamp);
  if (!entries || entries.length === 0) return 'rebuild';
  let records = cached.records;
  for (const entry of entries) {
    const next = patchPage(records, cached.shape, entry);
    if (!next) {
      if (entries.some((e) => e.local)) return 'rebuild';
      // Another instance's change whose comment is being read: patched at the next read, no rebuild.
      return entries.some((e) => e.completing) ? 'stale' : 'stale-rebuild';
    }
    records = next;
  }
  const stamp = entries[entries.length - 1].stamp;
  const current = publicPages.get(key);
  if (current && current.stamp >= stamp) return current;
  const body = encodePage(assemblePage(records, { ...input, viewer: null }), siteSettings(site));
  // Built from the same database read as before: it still expires with it, as a check on lost notices.
  const page: CachedPage = { ...cached, stamp, body, etag: etagOf(body), records };
  patches += 1;
  publicPages.set(key, page, pageBytes(body));
  return page;
}

async function buildPublicPage(key: string, input: ThreadQuery, cursor: ThreadCursor | null, now: number): Promise<CachedPage> {
  const stamp = articleStamp(input.siteId, input.articleId);
  builds += 1;
  const job = (async (): Promise<CachedPage> => {
    const publicInput = { ...input, viewer: null };
    const [site, records] = await Promise.all([getSiteCached(input.siteId), loadPage(publicInput, cursor)]);
    const body = encodePage(assemblePage(records, publicInput), siteSettings(site));
    notePageOf(input.siteId, input.articleId);
    const page: CachedPage = { stamp, builtAt: now, body, etag: etagOf(body), records, shape: { sort: input.sort, limit: input.limit, cursor } };
    const current = publicPages.get(key);
    if (!current || current.stamp <= stamp) publicPages.set(key, page, pageBytes(body));
    return page;
  })();
  const entry = { stamp, done: job };
  building.set(key, entry);
  try {
    return await job;
  } finally {
    if (building.get(key) === entry) building.delete(key);
  }
}

/**
 * The public page under the article's current version: patched in memory when the changes since it
 * was built allow it; the previous copy while one rebuild runs when only other instances' changes
 * are missing; otherwise one build per page at a time: readers who need the version being built wait
 * for that build; a reader who needs a newer one waits for the running build and then starts (or
 * joins) the next, so a burst of readers after a change costs one build, never one each.
 */
async function currentPublicPage(key: string, input: ThreadQuery, cursor: ThreadCursor | null, now: number): Promise<CachedPage> {
  const needed = articleStamp(input.siteId, input.articleId);
  const held = publicPages.get(key);
  if (held && held.stamp >= needed) return held;
  if (held) {
    const patched = await patchedPage(key, held, input);
    if (patched === 'stale') return held;
    if (patched === 'stale-rebuild') {
      if (!building.has(key)) buildPublicPage(key, input, cursor, now).catch(() => undefined);
      return held;
    }
    if (patched !== 'rebuild') return patched;
  }
  for (let waited = 0; waited < 5; waited += 1) {
    const cached = publicPages.get(key);
    if (cached && cached.stamp >= needed) return cached;
    const inflight = building.get(key);
    if (!inflight) break;
    if (inflight.stamp >= needed) return inflight.done;
    await inflight.done.catch(() => undefined);
  }
  return buildPublicPage(key, input, cursor, now);
}

/** The cache key: the normalised page parameters, so equivalent requests (however spelled) share one entry. */
function pageKey(input: ThreadQuery, cursor: ThreadCursor | null): string {
  return JSON.stringify([input.siteId, input.articleId, input.sort, input.limit, cursor ? [cursor.key, cursor.id] : null]);
}

/**
 * A page of a thread. The public page (what a reader without held comments sees) comes from the page
 * cache while it was built under the article's current version, kept in process (no database read);
 * a page past PAGE_MAX_AGE_MS is still answered while one rebuild runs behind it. A reader with held
 * comments of their own gets the public page with those merged in: one query for their held comments
 * instead of a page built for them alone.
 */
export async function readThreadPage(input: ThreadQuery, now = Date.now()): Promise<ThreadPageBody> {
  const cursor = input.cursor ? decodeCursor(input.cursor, input.sort) : null;
  const viewerId = input.viewer?.id ?? null;
  const [viewerHasPending, page] = await Promise.all([
    viewerId ? viewerMayHavePending(input.siteId, input.articleId, viewerId) : false,
    (async () => {
      const key = pageKey(input, cursor);
      const page = await currentPublicPage(key, input, cursor, now);
      if (now - page.builtAt >= PAGE_MAX_AGE_MS && !building.has(key)) {
        buildPublicPage(key, input, cursor, now).catch(() => undefined);
      }
      return page;
    })(),
  ]);
  if (viewerHasPending && input.viewer) {
    const site = await getSiteCached(input.siteId);
    const own = await mergeHeldComments(input, input.viewer, cursor, page.records);
    // Per reader, so no shared validator for it.
    return { body: encodePage(own, siteSettings(site)), etag: null };
  }
  return { body: page.body, etag: page.etag };
}

/** Articles with pages in the cache (roughly: kept for a while after their pages are gone). */
const articlesWithPages = new Set<string>();

function notePageOf(siteId: string, articleId: string): void {
  const key = JSON.stringify([siteId, articleId]);
  articlesWithPages.delete(key);
  articlesWithPages.add(key);
  if (articlesWithPages.size > 20_000) articlesWithPages.delete(articlesWithPages.values().next().value as string);
}

/** Another instance's comment change: reads the comment and the article's count once, for every page of it here. */
subscribeChanges((change, meta) => {
  if (meta.local || !change.commentId || !change.articleId || !change.type.startsWith('comment.')) return;
  if (!articlesWithPages.has(JSON.stringify([change.siteId, change.articleId]))) return;
  const { siteId, articleId, commentId } = change;
  completeChange(change, async () => {
    const [comment, count] = await Promise.all([readComment<CommentSnapshot>(commentId), approvedCountWithRevision(siteId, articleId)]);
    if (!comment || String(comment.siteId) !== siteId || comment.articleId !== articleId) return undefined;
    return { comment, approvedCount: count };
  });
}, { sync: true });

/** Approved comments per article, for the count badges on a site's pages: one `_id` read per article. */
export async function countComments(siteId: string, articleIds: string[]): Promise<Record<string, number>> {
  await getSiteCached(siteId);
  const counts = await Promise.all(articleIds.map((articleId) => approvedCountOfArticle(siteId, articleId)));
  return Object.fromEntries(articleIds.map((articleId, i) => [articleId, counts[i]]));
}
