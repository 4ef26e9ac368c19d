import { createHash } from 'node:crypto';
import type { Request, Router } from 'express';
import type { z } from 'zod';
import { currentUser, requireUser } from '../accounts/authenticate';
import type { AppContext } from '../context';
import { duplicatePostBrake, honeypot, honeypotFieldSchema } from '../http/commentBrakes';
import { addVary } from '../http/cors';
import { badRequest, notFound } from '../http/problem';
import { createRateLimiters } from '../http/rateLimit';
import { isObjectIdString, parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import {
  ARTICLE_ID_PATTERN,
  articleIdSchema,
  articleParamsSchema,
  commentCountsSchema,
  commentJsonSchema,
  commentPageSchema,
  commentParamsSchema,
  countsQuerySchema,
  previewJsonSchema,
  siteParamsSchema,
  voteResultSchema,
  editCommentSchema,
  postCommentSchema,
  previewCommentSchema,
  threadQuerySchema,
  voteSchema,
} from './schemas';
import { deleteComment, editComment, postComment } from './service';
import { countComments, readThreadPage } from './thread';
import { renderComment } from './render';
import { siteStaffIds, staffOnPage } from './staff';
import { mergeViewerVotes } from './viewerVotes';
import { voteOnComment } from './votes';

/** A malformed id names nothing, so it is a 404 like an unknown one. */
function idParam(req: Request, name: string): string {
  const value = String(req.params[name]);
  if (!isObjectIdString(value)) throw notFound(`No ${name === 'siteId' ? 'site' : 'comment'} with this id.`);
  return value;
}

function articleParam(req: Request): string {
  const value = req.params.articleId;
  // The schema is this pattern on a string: a match needs no zod run; a mismatch gets zod's message.
  if (typeof value === 'string' && ARTICLE_ID_PATTERN.test(value)) return value;
  const result = articleIdSchema.safeParse(value);
  if (!result.success) {
    throw badRequest('The article id is invalid.', [{ path: 'articleId', message: result.error.issues[0].message }]);
  }
  return result.data;
}

/** The thread query with nothing given (`sort` and `limit` at their defaults), parsed once. */
const DEFAULT_THREAD_QUERY = Object.freeze(threadQuerySchema.parse({}));

/** The thread query; a request without one (the widget's first page) skips the schema run. */
function threadQuery(req: Request): z.output<typeof threadQuerySchema> {
  const query: unknown = req.query;
  if (query && typeof query === 'object' && Object.keys(query).length === 0) return DEFAULT_THREAD_QUERY;
  return parseInput(threadQuerySchema, query, 'query');
}

const staffMemo = new WeakMap<Buffer, { key: string; staff: string[] }>();

/** The staff among a cached page's authors, found once per page body and staff list. */
function staffOf(body: Buffer, siteStaff: string[]): string[] {
  if (siteStaff.length === 0) return [];
  const key = siteStaff.join(',');
  const memo = staffMemo.get(body);
  if (memo?.key === key) return memo.staff;
  const staff = staffOnPage(body.toString('utf8'), siteStaff);
  staffMemo.set(body, { key, staff });
  return staff;
}

/** Threads, posting, editing, deleting and voting. HTTP only: the rules live in the service. */
export function commentRoutes({ config }: AppContext): Router {
  const api = documentedRouter();
  const limits = createRateLimiters(config);
  // Brakes on posting, in this order: per-user/IP rate, the guest form's honeypot, the same text twice.
  const postBrakes = [
    limits.postComment,
    honeypot,
    duplicatePostBrake(config.DUPLICATE_POST_WINDOW_SECONDS, config.RATE_LIMITS_ENABLED),
  ];

  api.get(
    '/sites/:siteId/articles/:articleId/comments',
    { operationId: 'listComments', summary: "An article's thread: approved comments, plus the viewer's own pending ones.", tags: ['comments'], signedIn: 'optional', params: articleParamsSchema, query: threadQuerySchema, responses: { 200: { description: 'One page of root comments with all their replies.', schema: commentPageSchema } } },
    async (req, res) => {
    const siteId = idParam(req, 'siteId');
    const articleId = articleParam(req);
    const query = threadQuery(req);
    const [page, siteStaff] = await Promise.all([
      readThreadPage({ siteId, articleId, ...query, viewer: req.user ?? null }),
      siteStaffIds(siteId),
    ]);
    // The page's staff authors, for their badge; no list when there are none (remembered per cached body).
    const staff = staffOf(page.body, siteStaff);
    // The viewer's own votes are merged in after the cached public page (votes are per viewer).
    const withVotes = req.user ? await mergeViewerVotes(page.body.toString('utf8'), req.user.id) : null;
    // The page differs per reader (their own held comments and votes), so caches must ask every time; a
    // shared public page has a validator, and an unchanged one is answered 304 by Express without a body.
    res.setHeader('Cache-Control', 'private, no-cache');
    addVary(res, 'Authorization');
    res.type('application/json');
    if (staff.length === 0 && !withVotes) {
      // The cached body as it is: nothing encoded per request.
      if (page.etag) res.setHeader('ETag', page.etag);
      res.send(page.body);
      return;
    }
    if (page.etag) {
      // Everything merged in after the cache is part of the validator.
      const extra = createHash('sha1').update(`${staff.join(',')}|${withVotes?.fingerprint ?? ''}`).digest('base64url').slice(0, 12);
      res.setHeader('ETag', `${page.etag.slice(0, -1)}.${extra}"`);
    }
    const json = withVotes?.json ?? page.body.toString('utf8');
    // The body starts {"editWindowSeconds":N,"allowGuests":B, — the staff list goes after the first of them.
    const cut = json.indexOf(',') + 1;
    res.send(staff.length > 0 ? `${json.slice(0, cut)}"staff":${JSON.stringify(staff)},${json.slice(cut)}` : json);
  });

  /** Renders a draft exactly as a posted comment would be, for the composer's preview; nothing is stored. */
  api.post(
    '/sites/:siteId/comments/preview',
    { operationId: 'previewComment', summary: 'Renders a draft as a posted comment would be (Markdown subset, sanitized); nothing is stored.', tags: ['comments'], params: siteParamsSchema, body: previewCommentSchema, responses: { 200: { description: 'The rendered draft.', schema: previewJsonSchema } } },
    async (req, res) => {
    idParam(req, 'siteId');
    const { body } = parseInput(previewCommentSchema, req.body, 'body');
    res.json({ html: renderComment(body).html });
  });

  api.post(
    '/sites/:siteId/articles/:articleId/comments',
    { operationId: 'postComment', summary: 'Posts a comment or reply; moderation decides approved, pending or rejected.', description: 'Guests may post where the site allows it, giving `guest`. `website` is a honeypot that must stay empty. The same text from the same author within a minute is refused with 409.', tags: ['comments'], signedIn: 'optional', params: articleParamsSchema, body: postCommentSchema.extend(honeypotFieldSchema), problems: [403, 409, 422], responses: { 201: { description: 'The comment, approved or pending.', schema: commentJsonSchema } } },
    ...postBrakes, async (req, res) => {
    const siteId = idParam(req, 'siteId');
    const articleId = articleParam(req);
    const input = parseInput(postCommentSchema, req.body, 'body');
    const comment = await postComment({ siteId, articleId, ...input, viewer: req.user ?? null });
    res.status(201).json(comment);
  });

  api.get(
    '/sites/:siteId/counts',
    { operationId: 'commentCounts', summary: 'Approved comment counts for a list of articles.', tags: ['comments'], params: siteParamsSchema, query: countsQuerySchema, responses: { 200: { description: 'Counts by article id.', schema: commentCountsSchema } } },
    async (req, res) => {
    const siteId = idParam(req, 'siteId');
    const { articles } = parseInput(countsQuerySchema, req.query, 'query');
    res.json(await countComments(siteId, articles));
  });

  api.patch(
    '/comments/:commentId',
    { operationId: 'editComment', summary: 'Edits a comment: its author, inside the edit window; moderated again.', tags: ['comments'], signedIn: 'required', params: commentParamsSchema, body: editCommentSchema, problems: [403, 409, 422], responses: { 200: { description: 'The edited comment.', schema: commentJsonSchema } } },
    requireUser, async (req, res) => {
    const commentId = idParam(req, 'commentId');
    const { body } = parseInput(editCommentSchema, req.body, 'body');
    res.json(await editComment({ commentId, body, viewer: currentUser(req) }));
  });

  api.delete(
    '/comments/:commentId',
    { operationId: 'deleteComment', summary: 'Deletes a comment (author or moderator); replies stay and it becomes a tombstone.', tags: ['comments'], signedIn: 'required', params: commentParamsSchema, problems: [403], responses: { 204: { description: 'Done; no body.' } } },
    requireUser, async (req, res) => {
    await deleteComment({ commentId: idParam(req, 'commentId'), viewer: currentUser(req) });
    res.status(204).end();
  });

  api.put(
    '/comments/:commentId/vote',
    { operationId: 'voteComment', summary: "Sets the caller's vote on a comment (0 withdraws it).", tags: ['comments'], signedIn: 'required', params: commentParamsSchema, body: voteSchema, problems: [403, 409], responses: { 200: { description: 'The new score.', schema: voteResultSchema } } },
    limits.vote, requireUser, async (req, res) => {
    const commentId = idParam(req, 'commentId');
    const { value } = parseInput(voteSchema, req.body, 'body');
    res.json(await voteOnComment({ commentId, value, viewer: currentUser(req) }));
  });

  return api.router;
}
