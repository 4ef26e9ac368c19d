import mongoose, { Types, type QueryFilter } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { UserModel } from '../accounts/user.model';
import { conflict, forbidden, HttpProblem, notFound, unauthorized, unprocessable } from '../http/problem';
import { ModerationActionModel, type ModerationActionName } from '../moderation/moderationAction.model';
import { moderateComment, type ModerationDecision, type ModerationReason } from '../moderation/pipeline';
import { getSite, siteSettings } from '../sites/service';
import { CommentModel, type Comment, type CommentStatus } from './comment.model';
import { decodeCursor, encodeCursor, type ThreadCursor, type ThreadSort } from './cursor';
import { canDeleteComment, canEditComment, canVoteOnComment } from './policy';
import { KeyedQueue } from './keyedQueue';
import { renderComment } from './render';
import { buildThread, highestScoreFirst, oldestFirst } from './tree';
import { VoteModel, voteKey } from './vote.model';
import { toCommentJson, type CommentJson, type CommentRecord } from './view';

const OBJECT_ID = /^[a-f0-9]{24}$/i;

/** Filters are sanitised globally; operators written here, from validated values, are marked as ours. */
const op = <T extends object>(operator: T): T => mongoose.trusted(operator) as T;

async function findComment(commentId: string): Promise<CommentRecord> {
  const comment = OBJECT_ID.test(commentId) ? await CommentModel.findById(commentId).lean<CommentRecord>() : null;
  if (!comment) throw notFound('No comment with this id.');
  return comment;
}

async function approvedCountOf(userId: string): Promise<number> {
  const user = await UserModel.findById(userId, { approvedCommentCount: 1 }).lean();
  return user?.approvedCommentCount ?? 0;
}

function describeReasons(reasons: ModerationReason[]): string {
  return reasons.map((reason) => (reason.detail ? `${reason.code} (${reason.detail})` : reason.code)).join(', ');
}

function rejection(decision: ModerationDecision): HttpProblem {
  const named = describeReasons(decision.reasons) || 'moderation rules';
  return unprocessable(
    `This comment was not accepted: ${named}.`,
    'comment-rejected',
    decision.reasons.map((reason) => ({ path: 'body', message: reason.detail ? `${reason.code}: ${reason.detail}` : reason.code })),
  );
}

async function recordActions(
  comment: Pick<CommentRecord, '_id' | 'siteId' | 'author'>,
  actions: { action: ModerationActionName; actorId?: string | null; reason?: string | null; note?: string | null }[],
): Promise<void> {
  await ModerationActionModel.insertMany(
    actions.map((entry) => ({
      siteId: comment.siteId,
      commentId: comment._id,
      targetUserId: comment.author.id,
      action: entry.action,
      actorId: entry.actorId ?? null,
      reason: entry.reason ?? null,
      note: entry.note ?? null,
    })),
  );
}

function decisionAction(status: ModerationDecision['status']): ModerationActionName {
  if (status === 'approved') return 'auto-approved';
  return status === 'pending' ? 'held' : 'auto-rejected';
}

async function adjustApprovedCount(authorId: Types.ObjectId | string | null, by: 1 | -1): Promise<void> {
  if (authorId) await UserModel.updateOne({ _id: authorId }, { $inc: { approvedCommentCount: by } });
}

export interface PostCommentInput {
  siteId: string;
  articleId: string;
  body: string;
  parentId?: string | null;
  viewer: AuthUser | null;
  guest?: { name: string; email: string };
}

interface ThreadPlace {
  parentId: Types.ObjectId | null;
  rootId: Types.ObjectId | null;
  ancestors: Types.ObjectId[];
  depth: number;
}

/**
 * Where a new comment goes. A reply deeper than maxDepth attaches at the cap: its parent becomes the
 * ancestor at depth maxDepth-1, so it sits beside the comment it answers rather than below it.
 */
async function placeInThread(input: PostCommentInput, maxDepth: number): Promise<ThreadPlace> {
  if (!input.parentId) return { parentId: null, rootId: null, ancestors: [], depth: 0 };
  const parent = await CommentModel.findOne({
    _id: input.parentId,
    siteId: input.siteId,
    articleId: input.articleId,
  }).lean<CommentRecord>();
  const ownPending =
    parent?.status === 'pending' && input.viewer !== null && String(parent.author.id) === input.viewer.id;
  if (!parent || (parent.status !== 'approved' && parent.status !== 'deleted' && !ownPending)) {
    throw notFound('The comment you reply to does not exist on this article.');
  }
  if (parent.status === 'deleted') {
    throw unprocessable('The comment you reply to has been deleted.', 'parent-deleted');
  }
  const lineage = [...parent.ancestors, parent._id];
  const depth = Math.min(parent.depth + 1, maxDepth);
  const ancestors = lineage.slice(0, depth);
  return {
    parentId: ancestors[ancestors.length - 1],
    rootId: parent.rootId ?? parent._id,
    ancestors,
    depth,
  };
}

export async function postComment(input: PostCommentInput): Promise<CommentJson> {
  const site = await getSite(input.siteId);
  const settings = siteSettings(site);
  const { viewer, guest } = input;
  if (viewer) {
    if (viewer.banned) throw forbidden('Your account is banned from commenting.');
    if (guest) throw new HttpProblem(400, 'Bad Request', 'Signed-in users post under their own name; leave out "guest".', { slug: 'bad-request' });
  } else if (!guest) {
    throw unauthorized('Sign in to comment.');
  } else if (!settings.allowGuests) {
    throw new HttpProblem(403, 'Forbidden', 'This site does not accept comments from guests; sign in to comment.', {
      slug: 'guests-not-allowed',
    });
  }

  const place = await placeInThread(input, settings.maxDepth);
  const { html } = renderComment(input.body);
  const decision = moderateComment({
    site: { id: String(site._id), settings, wordListVersion: site.wordListVersion ?? 0 },
    author: {
      id: viewer?.id ?? null,
      role: viewer?.role ?? 'guest',
      approvedCommentCount: viewer ? await approvedCountOf(viewer.id) : 0,
    },
    body: input.body,
    isEdit: false,
  });
  // Guests are always held, whatever the phases say.
  if (!viewer && decision.status === 'approved') {
    decision.status = 'pending';
    decision.reasons.push({ code: 'guest' });
  }

  const _id = new Types.ObjectId();
  const created = await CommentModel.create({
    _id,
    siteId: site._id,
    articleId: input.articleId,
    parentId: place.parentId,
    rootId: place.rootId ?? _id,
    ancestors: place.ancestors,
    depth: place.depth,
    author: viewer
      ? { id: viewer.id, displayName: viewer.displayName, guestEmail: null }
      : { id: null, displayName: guest?.name ?? 'Guest', guestEmail: guest?.email ?? null },
    body: input.body,
    html,
    status: decision.status,
    reasons: decision.reasons,
  });
  const comment = created.toObject() as CommentRecord;
  await recordActions(comment, [
    { action: 'created', actorId: viewer?.id ?? null },
    { action: decisionAction(decision.status), reason: describeReasons(decision.reasons) || null },
  ]);
  // Kept as rejected for the moderators' record, never shown in the thread.
  if (decision.status === 'rejected') throw rejection(decision);
  if (decision.status === 'approved') await adjustApprovedCount(viewer?.id ?? null, 1);
  return toCommentJson(comment);
}

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
  const descendants =
    roots.length > 0
      ? await CommentModel.find(
          { rootId: op({ $in: roots.map((root) => root._id) }), depth: op({ $gt: 0 }), ...visible },
          THREAD_FIELDS,
        ).lean<
          CommentRecord[]
        >()
      : [];
  return {
    comments: buildThread(roots, descendants, input.sort === 'top' ? highestScoreFirst : oldestFirst),
    nextCursor: found.length > input.limit ? cursorAfter(roots[roots.length - 1], input.sort) : null,
    total,
  };
}

function mergeReasons(...lists: { code: ModerationReason['code']; detail?: string | null }[][]): ModerationReason[] {
  const seen = new Set<string>();
  const merged: ModerationReason[] = [];
  for (const reason of lists.flat()) {
    const key = `${reason.code}:${reason.detail ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push({ code: reason.code, ...(reason.detail ? { detail: reason.detail } : {}) });
  }
  return merged;
}

/**
 * The author rewrites a comment inside the site's edit window; the new text is moderated again. An
 * edit never releases a held comment, and an edit the rules reject is refused, leaving the old text.
 */
export async function editComment(input: { commentId: string; body: string; viewer: AuthUser }): Promise<CommentJson> {
  const { viewer } = input;
  if (viewer.banned) throw forbidden('Your account is banned from commenting.');
  const comment = await findComment(input.commentId);
  if (!canEditComment(viewer, comment)) throw forbidden('Only the author can edit a comment.');
  if (comment.status === 'deleted') throw conflict('This comment has been deleted and cannot be edited.');
  if (comment.status === 'rejected') throw conflict('This comment was rejected and cannot be edited.');
  const site = await getSite(String(comment.siteId));
  const settings = siteSettings(site);
  if (Date.now() - comment.createdAt.getTime() > settings.editWindowSeconds * 1000) {
    throw new HttpProblem(403, 'Forbidden', `Comments can be edited for ${settings.editWindowSeconds} seconds after posting; that time has passed.`, {
      slug: 'edit-window-closed',
    });
  }

  const { html } = renderComment(input.body);
  const decision = moderateComment({
    site: { id: String(site._id), settings, wordListVersion: site.wordListVersion ?? 0 },
    author: { id: viewer.id, role: viewer.role, approvedCommentCount: await approvedCountOf(viewer.id) },
    body: input.body,
    isEdit: true,
  });
  if (decision.status === 'rejected') {
    await recordActions(comment, [{ action: 'auto-rejected', reason: describeReasons(decision.reasons), note: 'edit refused' }]);
    throw rejection(decision);
  }
  const status: CommentStatus = comment.status === 'pending' ? 'pending' : decision.status;
  const reasons = comment.status === 'pending' ? mergeReasons(comment.reasons ?? [], decision.reasons) : decision.reasons;
  const updated = await CommentModel.findOneAndUpdate(
    { _id: comment._id, status: comment.status, revision: comment.revision ?? 0 },
    { $set: { body: input.body, html, status, reasons, editedAt: new Date() }, $inc: { revision: 1 } },
    { returnDocument: 'after' },
  ).lean<CommentRecord>();
  if (!updated) throw conflict('The comment changed while you were editing it; reload it and try again.');

  const actions: { action: ModerationActionName; actorId?: string | null; reason?: string | null }[] = [
    { action: 'edited', actorId: viewer.id },
  ];
  if (comment.status === 'approved' && status === 'pending') {
    actions.push({ action: 'held', reason: describeReasons(decision.reasons) || null });
    await adjustApprovedCount(viewer.id, -1);
  }
  await recordActions(updated, actions);
  return toCommentJson(updated);
}

/** Makes a comment a tombstone: its text goes, its replies stay in place. Deleting twice is harmless. */
export async function deleteComment(input: { commentId: string; viewer: AuthUser }): Promise<void> {
  let comment = await findComment(input.commentId);
  if (!canDeleteComment(input.viewer, comment)) throw forbidden('Only the author or a moderator of this site can delete it.');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (comment.status === 'deleted') return;
    const updated = await CommentModel.findOneAndUpdate(
      { _id: comment._id, status: comment.status },
      {
        $set: { status: 'deleted', previousStatus: comment.status, body: '', html: '', deletedAt: new Date() },
        $inc: { revision: 1 },
      },
      { returnDocument: 'before' },
    ).lean<CommentRecord>();
    if (updated) {
      if (updated.status === 'approved') await adjustApprovedCount(updated.author.id, -1);
      await recordActions(updated, [{ action: 'deleted', actorId: input.viewer.id }]);
      return;
    }
    comment = await findComment(input.commentId);
  }
  throw conflict('The comment kept changing; try again.');
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

const unitOf = (value: number, sign: 1 | -1): number => (value === sign ? 1 : 0);

/**
 * One vote per user per comment. The vote upsert returns the previous value atomically, so the
 * comment's counters move by exactly the difference, however many votes race each other.
 */
export async function voteOnComment(input: { commentId: string; value: -1 | 0 | 1; viewer: AuthUser }): Promise<{ score: number }> {
  const { viewer, value } = input;
  if (viewer.banned) throw forbidden('Your account is banned from voting.');
  const comment = await findComment(input.commentId);
  if (comment.status !== 'approved') throw conflict('Only approved comments can be voted on.');
  if (!canVoteOnComment(viewer, comment)) throw forbidden('You cannot vote on your own comment.');

  return votesPerComment.run(String(comment._id), () => applyVote(comment, viewer.id, value));
}

const votesPerComment = new KeyedQueue();

async function applyVote(comment: CommentRecord, userId: string, value: -1 | 0 | 1): Promise<{ score: number }> {
  const upsertVote = () =>
    VoteModel.findOneAndUpdate(
      { _id: voteKey(String(comment._id), userId) },
      { $set: { value }, $setOnInsert: { commentId: comment._id, userId } },
      { upsert: true, returnDocument: 'before' },
    ).lean();
  let previous;
  try {
    previous = await upsertVote();
  } catch (err) {
    // Two first votes by one user raced to insert; the loser now updates the winner's document.
    if (!isDuplicateKey(err)) throw err;
    previous = await upsertVote();
  }
  const before = previous?.value ?? 0;
  const delta = { score: value - before, upvotes: unitOf(value, 1) - unitOf(before, 1), downvotes: unitOf(value, -1) - unitOf(before, -1) };
  // No projection here: findAndModify with one is not supported by every backend we run on.
  const updated =
    delta.score !== 0
      ? await CommentModel.findOneAndUpdate({ _id: comment._id }, { $inc: delta }, { returnDocument: 'after' }).lean()
      : await CommentModel.findById(comment._id, { score: 1 }).lean();
  return { score: updated?.score ?? 0 };
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
