/**
 * The comments feature's database access: the only module that queries comment and vote documents.
 * Services and other features call it by intent. Every hot query filters on top-level equality first
 * (siteId, articleId, status, _id), which is what FerretDB pushes down to its backend and what the
 * declared indexes serve; the rest is filtered among those rows.
 */
import { Types, type QueryFilter } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { addExactly, op, setExactly, writeClaimed } from '../db/atomic';
import { insertBatched } from '../db/batchedInsert';
import { leanDocument } from '../db/leanDocument';
import { settleHeads } from '../moderation/queuePlaces';
import { notFound } from '../http/problem';
import { commentsOfAuthor } from './authorFilter';
import { CommentModel, completeNewComments, type Comment, type CommentStatus, type NewComment } from './comment.model';
import type { ThreadCursor, ThreadSort } from './cursor';
import { VoteModel, voteKey } from './vote.model';
import type { CommentRecord } from './view';

type Id = Types.ObjectId | string;
const OBJECT_ID = /^[a-f0-9]{24}$/i;

export async function findComment(commentId: string): Promise<CommentRecord> {
  const comment = OBJECT_ID.test(commentId) ? await CommentModel.findById(commentId).lean<CommentRecord>() : null;
  if (!comment) throw notFound('No comment with this id.');
  return comment;
}

/** A comment by `_id` (the primary key on every backend), or null; `fields` narrows what is read. */
export async function readComment<T = CommentRecord>(commentId: Id, fields?: Record<string, 1>): Promise<T | null> {
  if (typeof commentId === 'string' && !OBJECT_ID.test(commentId)) return null;
  return CommentModel.findById(commentId, fields).lean<T>();
}

/**
 * Comments by `_id`, one primary-key read each, side by side: on FerretDB an `_id: {$in: [...]}` is not
 * pushed down and reads the whole collection. Missing ones are left out.
 */
export async function readCommentsById<T = CommentRecord>(commentIds: Id[], fields?: Record<string, 1>): Promise<T[]> {
  const unique = [...new Set(commentIds.map(String))];
  const found = await Promise.all(unique.map((id) => readComment<T>(id, fields)));
  return found.filter((comment): comment is Awaited<T> & T => comment !== null);
}

/** The site a comment belongs to, or null (for CORS on comment paths). */
export async function siteOfComment(commentId: string): Promise<string | null> {
  if (!OBJECT_ID.test(commentId)) return null;
  const found = await CommentModel.findById(commentId, { siteId: 1 }).lean<{ siteId: Types.ObjectId }>();
  return found ? String(found.siteId) : null;
}

/** Whether the user has an approved comment anywhere: authorId and status are pushed down together (see authorFilter.ts). */
export async function authorHasApprovedComment(userId: Id): Promise<boolean> {
  if (typeof userId === 'string' && !OBJECT_ID.test(userId)) return false;
  return (await CommentModel.exists({ ...(await commentsOfAuthor(new Types.ObjectId(String(userId)))), status: 'approved' })) !== null;
}

/** A new comment as it will be stored, and the write that stores it. */
export interface PreparedComment {
  record: CommentRecord;
  /** Inserts it, together with others being posted at the same moment. */
  insert(): Promise<void>;
}

/** A new comment, cast by its schema, with the model's defaults and its places in the moderation queues, ready to insert. */
export async function prepareComment(fields: Record<string, unknown>): Promise<PreparedComment> {
  const now = new Date();
  const record = leanDocument(CommentModel, { createdAt: now, updatedAt: now, ...fields }) as CommentRecord & NewComment & Record<string, unknown>;
  const entered = await completeNewComments([record]);
  return {
    record,
    async insert() {
      await insertBatched(CommentModel.collection, [record]);
      await settleHeads(entered);
    },
  };
}

/**
 * Every write of an existing comment: under the claim of its write revision (src/db/atomic.ts), so a
 * vote, a status change, a flag count or a feature at the same moment can never undo one another.
 * `change` decides from the comment as read (null: nothing to write); returns the comment after the
 * write, or as read when nothing was written (null when there is no such comment).
 */
async function writeComment<T extends object>(
  commentId: Types.ObjectId,
  change: (comment: T) => Record<string, unknown> | null,
): Promise<{ comment: T | null; written: boolean }> {
  const { doc, written } = await writeClaimed(CommentModel, commentId, 'writeRev', {
    read: () => CommentModel.findById(commentId).lean<T & Record<string, unknown>>(),
    change: (comment) => (comment ? change(comment) : null),
    write: (set, writeRev) =>
      CommentModel.findOneAndUpdate({ _id: commentId }, { $set: { ...set, writeRev } }, { returnDocument: 'after' }).lean<T>(),
  });
  return written ? { comment: written, written: true } : { comment: doc, written: false };
}

/** The write of a status transition: only on the revision and status read; null when either moved on. */
export async function updateCommentAtRevision<T extends object>(
  seen: { _id: Types.ObjectId; status: CommentStatus; revision?: number },
  set: Record<string, unknown>,
): Promise<T | null> {
  const revision = seen.revision ?? 0;
  const { comment, written } = await writeComment<{ status: CommentStatus; revision?: number | null }>(seen._id, (current) => {
    const sameRevision = seen.revision === undefined ? current.revision == null : current.revision === revision;
    return sameRevision && current.status === seen.status ? { ...set, revision: revision + 1 } : null;
  });
  return written ? (comment as T) : null;
}

/** Features a comment (or unfeatures it, with null); the comment after, or null when it is gone. */
export async function setFeaturedAt<T extends object>(commentId: Types.ObjectId, featuredAt: Date | null): Promise<T | null> {
  const { comment, written } = await writeComment<T>(commentId, () => ({ featuredAt }));
  return written ? comment : null;
}

/** Sets fields of one comment (only while its status is `status`, when given); whether it wrote. */
export async function setCommentFields(
  commentId: Types.ObjectId,
  set: Record<string, unknown>,
  when: { status?: CommentStatus } = {},
): Promise<boolean> {
  const { written } = await writeComment<{ status: CommentStatus }>(commentId, (current) =>
    when.status === undefined || current.status === when.status ? set : null,
  );
  return written;
}

/**
 * Sets fields on every comment of one author (those matching `also` too), each through its own claimed
 * write: an `updateMany` would read and write whole documents unclaimed, and could undo a vote.
 * Found by `authorId` (that author's comments only) once every comment has it, see authorFilter.ts.
 * Answers where the written comments are, for callers that must refresh those articles' pages.
 */
export async function setOnCommentsOfAuthor(
  authorId: Types.ObjectId,
  set: Record<string, unknown>,
  also: { notifyReplies?: boolean } = {},
): Promise<CommentPlace[]> {
  const found = await CommentModel.find({ ...(await commentsOfAuthor(authorId)), ...also }, { _id: 1, siteId: 1, articleId: 1 }).lean<
    (CommentPlace & { _id: Types.ObjectId })[]
  >();
  const written: CommentPlace[] = [];
  for (const { _id, siteId, articleId } of found) {
    const { written: wrote } = await writeComment<{ author?: { id?: Types.ObjectId | null }; notifyReplies?: boolean }>(_id, (current) => {
      const stillMatches =
        String(current.author?.id ?? '') === String(authorId) &&
        (also.notifyReplies === undefined || current.notifyReplies === also.notifyReplies);
      return stillMatches ? set : null;
    });
    if (wrote) written.push({ siteId, articleId });
  }
  return written;
}

/** The article a comment is on. */
export interface CommentPlace {
  siteId: Types.ObjectId;
  articleId: string;
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
  // What places a reply under its root and orders the reports of writes to it (page patches).
  rootId: 1,
  revision: 1,
  voteRev: 1,
} as const;

const ROOT_ORDER: Record<ThreadSort, Record<string, 1 | -1>> = {
  oldest: { createdAt: 1, _id: 1 },
  newest: { createdAt: -1, _id: -1 },
  top: { score: -1, _id: -1 },
};

/** Up to `limit` visible roots of an article after the cursor, in the sort's order. */
export function readRoots(
  siteId: Types.ObjectId,
  articleId: string,
  viewer: AuthUser | null,
  sort: ThreadSort,
  cursor: ThreadCursor | null,
  limit: number,
): Promise<CommentRecord[]> {
  const filter: QueryFilter<Comment> = {
    siteId,
    articleId,
    parentId: null,
    $and: [visibleTo(viewer), ...(cursor ? [afterCursor(cursor)] : [])],
  };
  return CommentModel.find(filter, THREAD_FIELDS).sort(ROOT_ORDER[sort]).limit(limit).lean<CommentRecord[]>();
}

/** The visible descendants of these roots. */
export async function readDescendants(
  siteId: Types.ObjectId,
  articleId: string,
  rootIds: Types.ObjectId[],
  viewer: AuthUser | null,
): Promise<CommentRecord[]> {
  if (rootIds.length === 0) return [];
  // The article's equality fields let backends without a rootId index narrow their scan first.
  const filter: QueryFilter<Comment> = { siteId, articleId, rootId: op({ $in: rootIds }), depth: op({ $gt: 0 }), ...visibleTo(viewer) };
  return CommentModel.find(filter, THREAD_FIELDS).lean<CommentRecord[]>();
}

/** One author's held comments in an article (rootId places a held reply on its root's page). */
export function readHeldComments(siteId: string, articleId: string, authorId: string): Promise<CommentRecord[]> {
  return CommentModel.find(
    { siteId: new Types.ObjectId(siteId), articleId, status: 'pending', 'author.id': new Types.ObjectId(authorId) },
    THREAD_FIELDS,
  ).lean<CommentRecord[]>();
}

export async function hasHeldComment(siteId: string, articleId: string, authorId: string): Promise<boolean> {
  const found = await CommentModel.exists({
    siteId: new Types.ObjectId(siteId),
    articleId,
    status: 'pending',
    'author.id': new Types.ObjectId(authorId),
  });
  return found !== null;
}

/** The authors with held comments in an article. */
export async function authorsWithHeldComments(siteId: string, articleId: string): Promise<string[]> {
  const held = await CommentModel.find(
    { siteId: new Types.ObjectId(siteId), articleId, status: 'pending', 'author.id': op({ $ne: null }) },
    { 'author.id': 1 },
  ).lean<{ author: { id: Types.ObjectId | null } }[]>();
  return [...new Set(held.map((comment) => String(comment.author.id)))];
}

/** Counted from the comments themselves: only to adopt an article written without its document. */
export function countApprovedComments(siteId: string, articleId: string): Promise<number> {
  return CommentModel.countDocuments({ siteId: new Types.ObjectId(siteId), articleId, status: 'approved' });
}

/** Sets one user's vote on a comment; returns the value it had (0 if none), exact under racing votes. */
export async function setVote(commentId: Types.ObjectId, userId: string, value: -1 | 0 | 1): Promise<number> {
  const { before } = await setExactly(VoteModel, voteKey(String(commentId), userId), ['value'], 'rev', () => ({ value }), {
    commentId,
    userId: new Types.ObjectId(userId),
  });
  return before.value;
}

/**
 * One viewer's votes on these comments. By `userId` (a top-level equality FerretDB pushes down), then
 * filtered here: an `_id: {$in}` alone would scan the whole collection there.
 */
export async function readVotesOf(viewerId: string, commentIds: string[]): Promise<{ commentId: Types.ObjectId; value: number }[]> {
  const wanted = new Set(commentIds);
  const votes = await VoteModel.find({ userId: new Types.ObjectId(viewerId) }, { commentId: 1, value: 1 })
    .limit(100_000)
    .lean<{ commentId: Types.ObjectId; value: number }[]>();
  return votes.filter((vote) => wanted.has(String(vote.commentId)));
}

/** Moves a comment's score and vote tallies exactly; returns them after the move. */
export function addToVoteTallies(commentId: Types.ObjectId, delta: { score: number; upvotes: number; downvotes: number }) {
  // Claimed on the comment's write revision like every other write of it; voteRev moves with each change.
  return addExactly(CommentModel, commentId, { ...delta, voteRev: 1 }, 'writeRev');
}

/** Raises a comment's flag count to at least `flagCount` (counted from the flags); the comment after. */
export async function raiseFlagCount<T extends { flagCount?: number | null }>(commentId: Types.ObjectId, flagCount: number): Promise<T | null> {
  const { comment } = await writeComment<T>(commentId, (current) => ((current.flagCount ?? 0) >= flagCount ? null : { flagCount }));
  return comment;
}

/** A site's comment that a bulk decision may still act on: held, or flagged in one of `statuses`. */
export function readDecidable<T>(siteId: string, commentId: string, statuses: CommentStatus[]): Promise<T | null> {
  return CommentModel.findOne({
    _id: new Types.ObjectId(commentId),
    siteId: new Types.ObjectId(siteId),
    $or: [{ status: 'pending' }, { flagged: true, status: op({ $in: statuses }) }],
  }).lean<T>();
}

/**
 * The comments in one bucket of a moderation queue (src/moderation/queuePlaces.ts): one top-level
 * equality, so at most a bucket's worth of rows is read on every backend.
 */
export function readQueueBucket<T>(field: 'queueBucket' | 'flagBucket', key: string): Promise<T[]> {
  return CommentModel.find({ [field]: key }).lean<T[]>();
}

/** A watch list's queue: one article's held (or rejected, or flagged) comments, by equality on site, article and status. */
export function readArticleQueue<T>(siteId: string, articleId: string, queue: { status: CommentStatus; flagged?: true }): Promise<T[]> {
  return CommentModel.find({ siteId: new Types.ObjectId(siteId), articleId, ...queue }).lean<T[]>();
}
