import { Types, type QueryFilter } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { getSite } from '../sites/service';
import { CommentModel, type Comment, type CommentStatus } from './comment.model';
import { decodeCursor, encodeCursor, type ThreadCursor, type ThreadSort } from './cursor';
import { op } from './store';
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

/**
 * One page of a thread: `limit` roots from one indexed query, then all their visible descendants in
 * one more query, assembled in memory. Paging is by the roots' sort key and id, so comments posted
 * between pages cause neither duplicates nor gaps. (For `top`, scores that change between pages can
 * still move a root across the cursor; that is inherent to ranking by a live score.)
 */
export async function listThread(input: {
  siteId: string;
  articleId: string;
  sort: ThreadSort;
  limit: number;
  cursor?: string;
  viewer: AuthUser | null;
}): Promise<ThreadPage> {
  const cursor = input.cursor ? decodeCursor(input.cursor, input.sort) : null;
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
