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
  body: 1,
  html: 1,
  status: 1,
  score: 1,
  createdAt: 1,
  editedAt: 1,
} as const;

const ROOT_ORDER: Record<ThreadSort, Record<string, 1 | -1>> = {
  oldest: { createdAt: 1, _id: 1 },
  newest: { createdAt: -1, _id: -1 },
  top: { score: -1, _id: -1 },
};

function cursorAfter(root: CommentRecord, sort: ThreadSort): string {
  const key = sort === 'top' ? root.score : root.createdAt.getTime();
  return encodeCursor({ sort, key, id: String(root._id) });
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
 * One page of a thread: `limit` roots from one indexed query, then all their visible descendants in
 * one more query, assembled in memory. Paging is by the roots' sort key and id, so comments posted
 * between pages cause neither duplicates nor gaps. (For `top`, scores that change between pages can
 * still move a root across the cursor; that is inherent to ranking by a live score.)
 */
async function buildPage(input: ThreadQuery, cursor: ThreadCursor | null): Promise<ThreadPage> {
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
  return {
    comments: buildThread(roots, descendants, input.sort === 'top' ? highestScoreFirst : oldestFirst),
    nextCursor: found.length > input.limit ? cursorAfter(roots[roots.length - 1], input.sort) : null,
    total,
  };
}

/**
 * A page ready to send: its JSON text, and the article version it stands for when it is the shared
 * public page (null for a page built for one reader alone, or for an article without versions yet).
 */
export interface ThreadPageText {
  json: string;
  version: string | null;
}

/** Public pages (what a reader without held comments sees) as JSON text, with the version each was built under. */
const publicPages = new LruCache<{ version: string; json: string }>(1000);

/**
 * A page of a thread, served from the page cache while the article's version is the one the page
 * was built under (one `_id` read), else built and cached under the version read BEFORE building,
 * so a write that races the build only costs a rebuild later, never a stale page. A reader with
 * held comments of their own in the article gets a page built for them alone. Pages are kept as
 * text because serialising a long thread costs more than the rest of a cache hit.
 */
export async function readThreadPage(input: ThreadQuery): Promise<ThreadPageText> {
  const cursor = input.cursor ? decodeCursor(input.cursor, input.sort) : null;
  const { version, viewerHasPending } = await readArticleState(input.siteId, input.articleId, input.viewer?.id ?? null);
  if (version === null) {
    // No article document: no comments yet, or comments older than article documents.
    const page = await buildPage(input, cursor);
    if (page.total > 0 || page.comments.length > 0) await adoptArticle(input.siteId, input.articleId);
    return { json: JSON.stringify(page), version: null };
  }
  if (viewerHasPending) return { json: JSON.stringify(await buildPage(input, cursor)), version: null };
  // Sites are never deleted, and the article document exists only for an existing site, so a hit needs no site read.
  const key = JSON.stringify([input.siteId, input.articleId, input.sort, input.limit, input.cursor ?? '']);
  const cached = publicPages.get(key);
  if (cached?.version === version) return cached;
  const entry = { version, json: JSON.stringify(await buildPage({ ...input, viewer: null }, cursor)) };
  publicPages.set(key, entry);
  return entry;
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
