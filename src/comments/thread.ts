import { Types, type QueryFilter } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { getSite } from '../sites/service';
import { adoptArticle, readArticleState } from './articleVersion';
import { CommentModel, type Comment, type CommentStatus } from './comment.model';
import { decodeCursor, encodeCursor, type ThreadCursor, type ThreadSort } from './cursor';
import { op } from './store';
import { LruCache } from './lruCache';
import { buildThread, highestScoreFirst, oldestFirst } from './tree';
import type { CommentJson, CommentRecord } from './view';

export interface ThreadPage {
  comments: CommentJson[];
  nextCursor: string | null;
  total: number;
}

/** Approved comments and tombstones for everyone; pending ones only for their author. */
function visibleTo(viewer: AuthUser | null): QueryFilter<Comment> {
  const everyone: QueryFilter<Comment> = { status: op({ $in: ['approved', 'deleted'] as CommentStatus[] }) };
  if (!viewer) return everyone;
  return { $or: [everyone, { status: 'pending', 'author.id': new Types.ObjectId(viewer.id) }] };
}

function afterCursor(cursor: ThreadCursor): QueryFilter<Comment> {
  const id = new Types.ObjectId(cursor.id);
  switch (cursor.sort) {
    case 'oldest': {
      const at = new Date(cursor.key);
      return { $or: [{ createdAt: op({ $gt: at }) }, { createdAt: at, _id: op({ $gt: id }) }] };
    }
    case 'newest': {
      const at = new Date(cursor.key);
      return { $or: [{ createdAt: op({ $lt: at }) }, { createdAt: at, _id: op({ $lt: id }) }] };
    }
    case 'top':
      return { $or: [{ score: op({ $lt: cursor.key }) }, { score: cursor.key, _id: op({ $lt: id }) }] };
  }
}

/** Only what a thread shows: less to read, and a guest's email is never even loaded. */
const THREAD_FIELDS = {
  siteId: 1,
  articleId: 1,
  parentId: 1,
  depth: 1,
  'author.id': 1,
  'author.displayName': 1,
  'author.guestWebsite': 1,
  'author.accountDeleted': 1,
  body: 1,
  html: 1,
  status: 1,
  score: 1,
  createdAt: 1,
  editedAt: 1,
  featuredAt: 1,
} as const;

const ROOT_ORDER: Record<ThreadSort, Record<string, 1 | -1>> = {
  oldest: { createdAt: 1, _id: 1 },
  newest: { createdAt: -1, _id: -1 },
  top: { score: -1, _id: -1 },
};

/** The root order of each sort, as a comparison: exactly what ROOT_ORDER asks of the database. */
function rootKey(root: Pick<CommentRecord, 'score' | 'createdAt'>, sort: ThreadSort): number {
  return sort === 'top' ? root.score : root.createdAt.getTime();
}

function compareRoots(sort: ThreadSort, a: { key: number; id: string }, b: { key: number; id: string }): number {
  const ascending = a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return sort === 'oldest' ? ascending : -ascending;
}

const rootPoint = (root: CommentRecord, sort: ThreadSort) => ({ key: rootKey(root, sort), id: String(root._id) });

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

/** The records a page is assembled from. */
interface PageRecords {
  /** Up to `limit + 1` visible roots after the cursor, in root order; an extra one means more pages follow. */
  found: CommentRecord[];
  /** The visible descendants of the first `limit` of them. */
  descendants: CommentRecord[];
  total: number;
}

/**
 * The records of one page of a thread: `limit` roots from one indexed query, then all their visible
 * descendants in one more query. Paging is by the roots' sort key and id, so comments posted
 * between pages cause neither duplicates nor gaps. (For `top`, scores that change between pages can
 * still move a root across the cursor; that is inherent to ranking by a live score.)
 */
async function loadPage(input: ThreadQuery, cursor: ThreadCursor | null): Promise<PageRecords> {
  const site = await getSite(input.siteId);
  const inArticle = { siteId: site._id, articleId: input.articleId };
  const visible = visibleTo(input.viewer);
  const rootFilter: QueryFilter<Comment> = { ...inArticle, parentId: null, $and: [visible, ...(cursor ? [afterCursor(cursor)] : [])] };
  const [found, total] = await Promise.all([
    CommentModel.find(rootFilter, THREAD_FIELDS).sort(ROOT_ORDER[input.sort]).limit(input.limit + 1).lean<CommentRecord[]>(),
    CommentModel.countDocuments({ ...inArticle, status: 'approved' }),
  ]);
  const roots = found.slice(0, input.limit);
  // The article's equality fields let backends without a rootId index narrow their scan first.
  const descendantFilter: QueryFilter<Comment> = {
    ...inArticle,
    rootId: op({ $in: roots.map((root) => root._id) }),
    depth: op({ $gt: 0 }),
    ...visible,
  };
  const descendants =
    roots.length > 0 ? await CommentModel.find(descendantFilter, THREAD_FIELDS).lean<CommentRecord[]>() : [];
  return { found, descendants, total };
}

function assemblePage(records: PageRecords, input: ThreadQuery): ThreadPage {
  const roots = records.found.slice(0, input.limit);
  return {
    comments: buildThread(roots, records.descendants, input.sort === 'top' ? highestScoreFirst : oldestFirst),
    nextCursor: records.found.length > input.limit ? cursorAfter(roots[roots.length - 1], input.sort) : null,
    total: records.total,
  };
}

async function buildPage(input: ThreadQuery, cursor: ThreadCursor | null): Promise<ThreadPage> {
  return assemblePage(await loadPage(input, cursor), input);
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
  const held = await CommentModel.find(
    {
      siteId: new Types.ObjectId(input.siteId),
      articleId: input.articleId,
      status: 'pending',
      'author.id': new Types.ObjectId(viewer.id),
    },
    // rootId places a held reply on the page of its thread's root.
    { ...THREAD_FIELDS, rootId: 1 },
  ).lean<CommentRecord[]>();
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
  return assemblePage({ found, descendants: [...publicRecords.descendants, ...ownReplies], total: publicRecords.total }, input);
}

/**
 * A page ready to send: its JSON text, and the article version it stands for when it is the shared
 * public page (null for a page built for one reader alone, or for an article without versions yet).
 */
export interface ThreadPageText {
  json: string;
  version: string | null;
}

/**
 * Public pages (what a reader without held comments sees) as JSON text, with the version each was
 * built under, and the records they were built from, for merging in one reader's held comments.
 */
const publicPages = new LruCache<{ version: string; builtAt: number; json: string; records: PageRecords }>(1000);

/**
 * A cached page is rebuilt after this long even under the same version: a write whose version bump
 * was lost (the database went away between the two) is then shown within a minute, not never.
 */
export const PAGE_MAX_AGE_MS = 60_000;

/**
 * A page of a thread, served from the page cache while the article's version is the one the page
 * was built under (one `_id` read), else built and cached under the version read BEFORE building,
 * so a write that races the build only costs a rebuild later, never a stale page. A reader with
 * held comments of their own in the article gets the public page with those merged in: one query
 * for their held comments instead of a page built for them alone. Pages are kept as text because
 * serialising a long thread costs more than the rest of a cache hit.
 */
export async function readThreadPage(input: ThreadQuery, now = Date.now()): Promise<ThreadPageText> {
  const cursor = input.cursor ? decodeCursor(input.cursor, input.sort) : null;
  const { version, viewerHasPending } = await readArticleState(input.siteId, input.articleId, input.viewer?.id ?? null);
  if (version === null) {
    // No article document: no comments yet, or comments older than article documents.
    const page = await buildPage(input, cursor);
    if (page.total > 0 || page.comments.length > 0) await adoptArticle(input.siteId, input.articleId);
    return { json: JSON.stringify(page), version: null };
  }
  // Sites are never deleted, and the article document exists only for an existing site, so a hit needs no site read.
  const key = JSON.stringify([input.siteId, input.articleId, input.sort, input.limit, input.cursor ?? '']);
  let entry = publicPages.get(key);
  if (entry?.version !== version || now - entry.builtAt >= PAGE_MAX_AGE_MS) {
    const publicInput = { ...input, viewer: null };
    const records = await loadPage(publicInput, cursor);
    entry = { version, builtAt: now, json: JSON.stringify(assemblePage(records, publicInput)), records };
    publicPages.set(key, entry);
  }
  if (viewerHasPending && input.viewer) {
    // Per reader, so no shared version (and no shared ETag) for it.
    return { json: JSON.stringify(await mergeHeldComments(input, input.viewer, cursor, entry.records)), version: null };
  }
  // The build time is part of the validator, so a page rebuilt under the same version is not a 304.
  return { json: entry.json, version: `${entry.version}-${entry.builtAt.toString(36)}` };
}

/** Approved comments per article, for the count badges on a site's pages: one aggregate for all. */
export async function countComments(siteId: string, articleIds: string[]): Promise<Record<string, number>> {
  const site = await getSite(siteId);
  const rows = await CommentModel.aggregate<{ _id: string; count: number }>([
    { $match: { siteId: site._id, articleId: { $in: articleIds }, status: 'approved' } },
    { $group: { _id: '$articleId', count: { $sum: 1 } } },
  ]);
  const counts = new Map<string, number>(articleIds.map((id) => [id, 0]));
  for (const row of rows) counts.set(row._id, row.count);
  return Object.fromEntries(counts);
}
