import { Types } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { emailIdentity } from '../accounts/accountService';
import { assertVerifiedFor } from '../accounts/policy';
import { IdentityModel, UserModel } from '../accounts/user.model';
import { conflict, forbidden, HttpProblem, notFound, unauthorized, unprocessable } from '../http/problem';
import { assertNotBanned } from '../moderation/bans';
import { ModerationActionModel, type ModerationActionName } from '../moderation/moderationAction.model';
import { moderateComment, type ModerationDecision, type ModerationReason } from '../moderation/pipeline';
import { getSite, siteSettings } from '../sites/service';
import { pendingChange, touchArticle } from './articleVersion';
import { CommentModel, type CommentStatus } from './comment.model';
import { canDeleteComment, canEditComment } from './policy';
import { renderComment } from './render';
import { findComment } from './store';
import { toCommentJson, type CommentJson, type CommentRecord } from './view';

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
  guest?: { name: string; email: string; website?: string };
  notifyReplies?: boolean;
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
    await assertNotBanned(viewer, String(site._id), 'commenting');
    if (guest) throw new HttpProblem(400, 'Bad Request', 'Signed-in users post under their own name; leave out "guest".', { slug: 'bad-request' });
    if (settings.requireVerifiedEmail) assertVerifiedFor(viewer, 'post');
  } else if (!guest) {
    throw unauthorized('Sign in to comment.');
  } else if (!settings.allowGuests || settings.requireVerifiedEmail) {
    const detail = settings.allowGuests
      ? 'This site needs a confirmed email address to post; sign in to comment.'
      : 'This site does not accept comments from guests; sign in to comment.';
    throw new HttpProblem(403, 'Forbidden', detail, { slug: 'guests-not-allowed' });
  } else if ((await IdentityModel.exists({ _id: emailIdentity(guest.email) })) || (await UserModel.exists({ email: guest.email }))) {
    // Otherwise anyone could post as a registered reader by typing their name and address.
    throw conflict('This email address belongs to an account; sign in to comment with it.');
  }

  const place = await placeInThread(input, settings.maxDepth);
  const { html } = renderComment(input.body);
  const decision = moderateComment({
    site: { id: String(site._id), settings, wordListVersion: site.wordListVersion ?? 0 },
    author: {
      id: viewer?.id ?? null,
      role: viewer?.role ?? 'guest',
      approvedCommentCount: viewer ? await approvedCountOf(viewer.id) : 0,
      website: guest?.website ?? null,
      moderatedSiteIds: viewer?.moderatedSiteIds ?? [],
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
      : { id: null, displayName: guest?.name ?? 'Guest', guestEmail: guest?.email ?? null, guestWebsite: guest?.website ?? null },
    body: input.body,
    html,
    status: decision.status,
    reasons: decision.reasons,
    notifyReplies: Boolean(viewer && input.notifyReplies),
  });
  const comment = created.toObject() as CommentRecord;
  await touchArticle(site._id, input.articleId, pendingChange(viewer?.id, null, decision.status));
  await recordActions(comment, [
    { action: 'created', actorId: viewer?.id ?? null },
    { action: decisionAction(decision.status), reason: describeReasons(decision.reasons) || null },
  ]);
  // Kept as rejected for the moderators' record, never shown in the thread.
  if (decision.status === 'rejected') throw rejection(decision);
  if (decision.status === 'approved') await adjustApprovedCount(viewer?.id ?? null, 1);
  return toCommentJson(comment);
}

/**
 * A held comment's reasons after an edit: the earlier ones stay (an edit never clears a hold), but only
 * the new text's reasons keep their word offsets, since older offsets point into the text that was replaced.
 */
function mergeReasons(
  previous: { code: ModerationReason['code']; detail?: string | null }[],
  current: ModerationReason[],
): ModerationReason[] {
  const keyOf = (reason: { code: string; detail?: string | null }): string => `${reason.code}:${reason.detail ?? ''}`;
  const fresh = new Map(current.map((reason) => [keyOf(reason), reason]));
  const seen = new Set<string>();
  const merged: ModerationReason[] = [];
  for (const reason of [...previous, ...current]) {
    const key = keyOf(reason);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(fresh.get(key) ?? { code: reason.code, ...(reason.detail ? { detail: reason.detail } : {}) });
  }
  return merged;
}

/**
 * The author rewrites a comment inside the site's edit window; the new text is moderated again. An
 * edit never releases a held comment, and an edit the rules reject is refused, leaving the old text.
 */
export async function editComment(input: { commentId: string; body: string; viewer: AuthUser }): Promise<CommentJson> {
  const { viewer } = input;
  const comment = await findComment(input.commentId);
  if (!canEditComment(viewer, comment)) throw forbidden('Only the author can edit a comment.');
  await assertNotBanned(viewer, String(comment.siteId), 'commenting');
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
    author: {
      id: viewer.id,
      role: viewer.role,
      approvedCommentCount: await approvedCountOf(viewer.id),
      moderatedSiteIds: viewer.moderatedSiteIds,
    },
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
  await touchArticle(updated.siteId, updated.articleId, pendingChange(updated.author.id, comment.status, status));

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
      await touchArticle(updated.siteId, updated.articleId, pendingChange(updated.author.id, updated.status, 'deleted'));
      if (updated.status === 'approved') await adjustApprovedCount(updated.author.id, -1);
      await recordActions(updated, [{ action: 'deleted', actorId: input.viewer.id }]);
      return;
    }
    comment = await findComment(input.commentId);
  }
  throw conflict('The comment kept changing; try again.');
}
