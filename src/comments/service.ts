import { Types } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { emailIdentity } from '../accounts/accountService';
import { assertVerifiedFor } from '../accounts/policy';
import { IdentityModel, UserModel } from '../accounts/user.model';
import { conflict, forbidden, HttpProblem, notFound, unauthorized, unprocessable } from '../http/problem';
import { assertNotBanned } from '../moderation/bans';
import type { ModerationActionName } from '../moderation/moderationAction.model';
import { moderateComment, type ModerationDecision, type ModerationReason } from '../moderation/pipeline';
import { getSiteCached, siteSettings, type SiteRecord } from '../sites/service';
import { ensureArticle } from './articleVersion';
import type { CommentStatus } from './comment.model';
import { canDeleteComment, canEditComment } from './policy';
import { renderComment } from './render';
import { authorHasApprovedComment, findComment, prepareComment, readComment } from './store';
import { insertNewComment, recordAudit, transition, type AuditEntry } from './transition';
import { toCommentJson, type CommentJson, type CommentRecord } from './view';

/**
 * Whether the author has an approved comment, asked only when the site's rules look at it
 * (first-comment premoderation): one indexed query, exact by construction, so no count to keep.
 */
async function hasApprovedCommentFor(site: SiteRecord, userId: string): Promise<boolean> {
  if (siteSettings(site).premoderation !== 'first-comment') return true;
  return authorHasApprovedComment(userId);
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

function decisionAction(status: ModerationDecision['status']): ModerationActionName {
  if (status === 'approved') return 'auto-approved';
  return status === 'pending' ? 'held' : 'auto-rejected';
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
  // By `_id` alone (the primary key on every backend), then checked here.
  const found = await readComment(input.parentId);
  const parent = found && String(found.siteId) === input.siteId && found.articleId === input.articleId ? found : null;
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
  const site = await getSiteCached(input.siteId);
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
      hasApprovedComment: viewer ? await hasApprovedCommentFor(site, viewer.id) : false,
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
  await ensureArticle(site._id, input.articleId);
  const { record: comment, insert } = await prepareComment({
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
  await insertNewComment(comment, insert, {
    to: decision.status,
    change: 'comment.created',
    audit: [
      { action: 'created', actorId: viewer?.id ?? null },
      { action: decisionAction(decision.status), reason: describeReasons(decision.reasons) || null },
    ],
  });
  // Kept as rejected for the moderators' record, never shown in the thread.
  if (decision.status === 'rejected') throw rejection(decision);
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
  const site = await getSiteCached(String(comment.siteId));
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
      hasApprovedComment: await hasApprovedCommentFor(site, viewer.id),
      moderatedSiteIds: viewer.moderatedSiteIds,
    },
    body: input.body,
    isEdit: true,
  });
  if (decision.status === 'rejected') {
    await recordAudit(comment, [{ action: 'auto-rejected', reason: describeReasons(decision.reasons), note: 'edit refused' }]);
    throw rejection(decision);
  }
  const status: CommentStatus = comment.status === 'pending' ? 'pending' : decision.status;
  const reasons = comment.status === 'pending' ? mergeReasons(comment.reasons ?? [], decision.reasons) : decision.reasons;
  const audit: AuditEntry[] = [{ action: 'edited', actorId: viewer.id }];
  if (comment.status === 'approved' && status === 'pending') {
    audit.push({ action: 'held', reason: describeReasons(decision.reasons) || null });
  }
  const updated = await transition<CommentRecord>(comment, {
    to: status,
    set: { body: input.body, html, reasons, editedAt: new Date() },
    audit,
    change: 'comment.edited',
  });
  if (!updated) throw conflict('The comment changed while you were editing it; reload it and try again.');
  return toCommentJson(updated);
}

/** Makes a comment a tombstone: its text goes, its replies stay in place. Deleting twice is harmless. */
export async function deleteComment(input: { commentId: string; viewer: AuthUser }): Promise<void> {
  let comment = await findComment(input.commentId);
  if (!canDeleteComment(input.viewer, comment)) throw forbidden('Only the author or a moderator of this site can delete it.');
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (comment.status === 'deleted') return;
    const updated = await transition(comment, {
      to: 'deleted',
      set: { previousStatus: comment.status, body: '', html: '', deletedAt: new Date() },
      audit: [{ action: 'deleted', actorId: input.viewer.id }],
      change: 'comment.deleted',
    });
    if (updated) return;
    comment = await findComment(input.commentId);
  }
  throw conflict('The comment kept changing; try again.');
}
