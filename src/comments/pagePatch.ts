/**
 * Bringing a cached thread page up to date in memory: a change made in this process carries the
 * comment as its write left it (and the article's approved count after it), and the page's records
 * are patched with it instead of being read again from the database. A patch gives exactly the
 * records a fresh build would read, or says it cannot (null), for example when a root leaves a full
 * page and the root that would take its place was never read; the caller then rebuilds.
 */
import type { ArticleChange } from './articleVersion';
import type { CommentStatus } from './comment.model';
import type { ThreadCursor, ThreadSort } from './cursor';
import type { CommentRecord } from './view';

/** A comment as a page keeps it, with the revisions that order the writes reported about it. */
export type PageComment = CommentRecord & { voteRev?: number };

/** The records a page is assembled from. */
export interface PageRecords {
  /** Up to `limit + 1` visible roots after the cursor, in root order; an extra one means more pages follow. */
  found: PageComment[];
  /** The visible descendants of the first `limit` of them. */
  descendants: PageComment[];
  total: number;
  /** The revision of the article's approved count that `total` was read at (-1: unknown). */
  totalRev: number;
}

/** Which page: the sort, the number of roots and where it starts. */
export interface PageShape {
  sort: ThreadSort;
  limit: number;
  cursor: ThreadCursor | null;
}

/** What everyone sees: approved comments and tombstones (pending ones only their author, merged per reader). */
const PUBLIC_STATUSES: ReadonlySet<CommentStatus> = new Set<CommentStatus>(['approved', 'deleted']);

/** The root order of each sort, as a comparison: exactly what the roots query asks of the database. */
export function rootKey(root: Pick<CommentRecord, 'score' | 'createdAt'>, sort: ThreadSort): number {
  return sort === 'top' ? root.score : root.createdAt.getTime();
}

export interface RootPoint {
  key: number;
  id: string;
}

export function compareRoots(sort: ThreadSort, a: RootPoint, b: RootPoint): number {
  const ascending = a.key - b.key || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return sort === 'oldest' ? ascending : -ascending;
}

export const rootPoint = (root: CommentRecord, sort: ThreadSort): RootPoint => ({ key: rootKey(root, sort), id: String(root._id) });

/** Only what a page shows and what orders the writes to it (the same fields the thread queries read). */
function pageComment(comment: PageComment): PageComment {
  const { author } = comment;
  return {
    _id: comment._id,
    siteId: comment.siteId,
    articleId: comment.articleId,
    parentId: comment.parentId ?? null,
    rootId: comment.rootId ?? null,
    ancestors: [],
    depth: comment.depth,
    author: {
      id: author.id ?? null,
      displayName: author.displayName,
      ...(author.guestWebsite ? { guestWebsite: author.guestWebsite } : {}),
      ...(author.accountDeleted ? { accountDeleted: author.accountDeleted } : {}),
    },
    body: comment.body,
    html: comment.html,
    status: comment.status,
    score: comment.score,
    createdAt: comment.createdAt,
    editedAt: comment.editedAt ?? null,
    featuredAt: comment.featuredAt ?? null,
    revision: comment.revision ?? 0,
    voteRev: comment.voteRev ?? 0,
  };
}

/**
 * The newer of two reports about one comment: its text and status from the higher `revision`, its
 * score from the higher `voteRev`, so reports that arrive out of order (or that a build already saw)
 * never take it back.
 */
function newer(existing: PageComment, incoming: PageComment, scoreOnly: boolean): PageComment {
  const base = !scoreOnly && (incoming.revision ?? 0) >= (existing.revision ?? 0) ? pageComment(incoming) : existing;
  const tallies = (incoming.voteRev ?? 0) >= (existing.voteRev ?? 0) ? incoming : existing;
  return { ...base, score: tallies.score, voteRev: tallies.voteRev ?? 0 };
}

const sameId = (id: string) => (comment: PageComment) => String(comment._id) === id;

/** The records with one comment's new state placed (or removed); null when that cannot be known here. */
function placeComment(records: PageRecords, shape: PageShape, incoming: PageComment, created: boolean, scoreOnly: boolean): PageRecords | null {
  const id = String(incoming._id);
  const existing = records.found.find(sameId(id)) ?? records.descendants.find(sameId(id));
  if (existing && created) return records;
  const isRoot = (incoming.parentId ?? null) === null;
  const comment = existing ? newer(existing, incoming, scoreOnly) : pageComment(incoming);
  const visible = PUBLIC_STATUSES.has(comment.status);
  const { sort, limit, cursor } = shape;

  if (!isRoot) {
    if (!existing && scoreOnly) return records; // a vote never makes a reply visible
    const rest = existing ? records.descendants.filter((c) => !sameId(id)(c)) : records.descendants;
    const rootOnPage = comment.rootId !== null && records.found.slice(0, limit).some(sameId(String(comment.rootId)));
    const descendants = visible && rootOnPage ? [...rest, comment] : rest;
    return descendants === records.descendants ? records : { ...records, descendants };
  }

  // Roots: the page holds every root after the cursor up to `found[limit]` (all of them when fewer).
  const boundary = records.found.length > limit ? records.found[limit] : null;
  const point = rootPoint(comment, sort);
  const belongs =
    visible &&
    (!cursor || compareRoots(sort, point, { key: cursor.key, id: cursor.id }) > 0) &&
    (!boundary || compareRoots(sort, point, rootPoint(boundary, sort)) <= 0);
  if (!existing && scoreOnly && !belongs) return records;
  const rest = records.found.filter((c) => !sameId(id)(c));
  const found = belongs ? [...rest, comment].sort((a, b) => compareRoots(sort, rootPoint(a, sort), rootPoint(b, sort))) : rest;
  // A root left a full page: the one after the boundary, which was never read, would come in.
  if (boundary && found.length <= limit) return null;
  const kept = found.slice(0, limit + 1);
  const before = new Set(records.found.slice(0, limit).map((c) => String(c._id)));
  const onPage = new Set(kept.slice(0, limit).map((c) => String(c._id)));
  // A root that comes onto the page brings replies that were never read (a new comment has none).
  if (onPage.has(id) && !before.has(id) && !created) return null;
  const descendants = records.descendants.filter((c) => onPage.has(String(c.rootId)));
  return { ...records, found: kept, descendants };
}

/** Changes that alter nothing a public page shows. */
const NOTHING_SHOWN: ReadonlySet<string> = new Set(['comment.flagged']);

/**
 * The page's records after one change of its article; null when this change cannot be applied in
 * memory (no comment came with it, as with other instances' changes, or the page cannot tell).
 */
export function patchPage(records: PageRecords, shape: PageShape, entry: ArticleChange): PageRecords | null {
  if (NOTHING_SHOWN.has(entry.change.type)) return records;
  const detail = entry.detail;
  if (!detail?.comment) return null;
  let next = records;
  if (detail.approvedCount && detail.approvedCount.rev > records.totalRev) {
    next = { ...next, total: detail.approvedCount.count, totalRev: detail.approvedCount.rev };
  }
  return placeComment(next, shape, detail.comment, entry.change.type === 'comment.created', detail.scoreOnly === true);
}
