import type { Router } from 'express';
import { currentUser, requireRole, requireUser } from '../accounts/authenticate';
import type { AppContext } from '../context';
import { createRateLimiters } from '../http/rateLimit';
import { isObjectIdString, parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import { loadModeratedComment, loadModeratedSite } from './access';
import { commentHistory, decide, decideMany } from './actions';
import { banOnSite, banUser, liftSiteBan, listSiteBans, unbanUser } from './bans';
import { flagComment } from './flags';
import { readQueue } from './queue';
import { withQueueContext } from './queueContext';
import { setFeatured, listFeatured } from './featured';
import { readConversation, searchComments } from './search';
import { undoDecision } from './undo';
import { readWatchList, writeWatchList } from './watchList';
import { articleIdSchema, articleParamsSchema, commentParamsSchema, featuredListSchema, siteParamsSchema } from '../comments/schemas';
import { conflict, notFound } from '../http/problem';
import {
  approveSchema,
  banSchema,
  bulkResultSchema,
  bulkSchema,
  conversationSchema,
  flagJsonSchema,
  flagSchema,
  historySchema,
  moderatedCommentSchema,
  moderatedUserSchema,
  queuePageSchema,
  searchResultSchema,
  siteBanJsonSchema,
  siteBanListSchema,
  siteUserParamsSchema,
  userParamsSchema,
  watchListJsonSchema,
  listQuerySchema,
  queueQuerySchema,
  rejectSchema,
  searchQuerySchema,
  siteBanSchema,
  undoSchema,
  watchListSchema,
} from './schemas';
import { toModeratedUserJson } from './userJson';
import { toModeratedCommentJson } from './view';

const staffOnly = requireRole('moderator', 'admin');

/** A decision made on what the moderator saw: if the comment moved on since, another moderator decided first. */
function assertUnchanged(comment: { revision?: number | null }, seen: number | undefined): void {
  if (seen !== undefined && seen !== (comment.revision ?? 0)) {
    throw conflict('Another moderator decided on this comment first.');
  }
}
const adminOnly = requireRole('admin');

/** The moderation queue and its decisions, readers' flags, and bans. */
export function moderationRoutes({ config }: AppContext): Router {
  const api = documentedRouter();
  const limits = createRateLimiters(config);
  const moderated = (description: string) => ({ 200: { description, schema: moderatedCommentSchema } });

  api.get(
    '/sites/:siteId/moderation/queue',
    { operationId: 'moderationQueue', summary: "A site's moderation queue, oldest first. Moderators of the site and admins.", tags: ['moderation'], signedIn: 'required', params: siteParamsSchema, query: queueQuerySchema, problems: [403], responses: { 200: { description: 'One page of the queue, each item with its parent and its author\'s record.', schema: queuePageSchema } } },
    staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    const query = parseInput(queueQuerySchema, req.query, 'query');
    // endCursor: where the page ended even when nothing follows yet (the console polls from there).
    const page = await readQueue(String(site._id), query);
    res.json({ ...page, items: await withQueueContext(String(site._id), page.items) });
  });

  api.get(
    '/sites/:siteId/moderation/search',
    { operationId: 'searchComments', summary: "Searches a site's comments by text (substring), author (id or name prefix) and article. Each call reads at most 2,000 comments, newest first, through an index; nextCursor continues into older ones.", tags: ['moderation'], signedIn: 'required', params: siteParamsSchema, query: searchQuerySchema, problems: [403], responses: { 200: { description: 'Matches, newest first.', schema: searchResultSchema } } },
    staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    res.json(await searchComments(String(site._id), parseInput(searchQuerySchema, req.query, 'query')));
  });

  api.get(
    '/sites/:siteId/moderation/watchlist',
    { operationId: 'readWatchList', summary: "The caller's watch list of articles on this site (the queue takes ?articles= for it).", tags: ['moderation'], signedIn: 'required', params: siteParamsSchema, problems: [403], responses: { 200: { description: 'The watch list.', schema: watchListJsonSchema } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    res.json(await readWatchList(user.id, String(site._id)));
  });

  api.put(
    '/sites/:siteId/moderation/watchlist',
    { operationId: 'writeWatchList', summary: "Replaces the caller's watch list on this site (at most 50 articles).", tags: ['moderation'], signedIn: 'required', params: siteParamsSchema, body: watchListSchema, problems: [403], responses: { 200: { description: 'The watch list.', schema: watchListJsonSchema } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const input = parseInput(watchListSchema, req.body, 'body');
    res.json(await writeWatchList(user.id, String(site._id), input.articleIds));
  });

  api.post(
    '/comments/:commentId/undo',
    { operationId: 'undoDecision', summary: "Takes back the caller's own last approve/reject within 10 minutes, if nothing changed since: the comment is pending again.", tags: ['moderation'], signedIn: 'required', params: commentParamsSchema, body: undoSchema, problems: [403, 409], responses: moderated('The comment.') },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    const input = parseInput(undoSchema, req.body, 'body');
    res.json(toModeratedCommentJson(await undoDecision(comment, user.id, input.revision)));
  });

  api.get(
    '/comments/:commentId/conversation',
    { operationId: 'conversation', summary: 'The whole conversation of a comment: its root and every reply, any status, oldest first (at most 500).', tags: ['moderation'], signedIn: 'required', params: commentParamsSchema, problems: [403], responses: { 200: { description: 'The conversation.', schema: conversationSchema } } },
    staffOnly, async (req, res) => {
    const comment = await loadModeratedComment(currentUser(req), String(req.params.commentId));
    res.json(await readConversation(comment));
  });

  // Featured comments (editors' picks): PUT features, DELETE unfeatures (the undo).
  api.put(
    '/comments/:commentId/featured',
    { operationId: 'featureComment', summary: "Features an approved comment (an editors' pick); recorded in its history; publishes comment.featured.", tags: ['moderation'], signedIn: 'required', params: commentParamsSchema, problems: [403, 409], responses: moderated('The comment.') },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    res.json(toModeratedCommentJson(await setFeatured(comment, true, user.id)));
  });

  api.delete(
    '/comments/:commentId/featured',
    { operationId: 'unfeatureComment', summary: 'Unfeatures a comment (the undo of featuring); recorded in its history.', tags: ['moderation'], signedIn: 'required', params: commentParamsSchema, problems: [403], responses: moderated('The comment.') },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    res.json(toModeratedCommentJson(await setFeatured(comment, false, user.id)));
  });

  // Public: an article's featured comments, for the widget's Featured tab.
  api.get(
    '/sites/:siteId/articles/:articleId/featured',
    { operationId: 'listFeatured', summary: "An article's approved featured comments, most recently featured first (at most 20); for the widget's Featured tab.", tags: ['comments'], params: articleParamsSchema, responses: { 200: { description: 'The featured comments.', schema: featuredListSchema } } },
    async (req, res) => {
    const siteId = String(req.params.siteId);
    const article = articleIdSchema.safeParse(req.params.articleId);
    if (!isObjectIdString(siteId) || !article.success) throw notFound('No such article.');
    res.setHeader('Cache-Control', 'public, max-age=30');
    res.json(await listFeatured(siteId, article.data));
  });

  api.post(
    '/sites/:siteId/moderation/bulk',
    { operationId: 'bulkModerate', summary: 'Approves or rejects many comments of one site at once.', tags: ['moderation'], signedIn: 'required', params: siteParamsSchema, body: bulkSchema, problems: [403], responses: { 200: { description: 'How many comments changed.', schema: bulkResultSchema } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const input = parseInput(bulkSchema, req.body, 'body');
    res.json({ updated: await decideMany(input.action, String(site._id), input.ids, user.id) });
  });

  api.post(
    '/comments/:commentId/approve',
    { operationId: 'approveComment', summary: 'Approves a comment; 409 when `revision` (as the moderator saw it) is no longer current.', tags: ['moderation'], signedIn: 'required', params: commentParamsSchema, body: approveSchema, bodyOptional: true, problems: [403, 409], responses: moderated('The comment, with what moderators see.') },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    const input = parseInput(approveSchema, req.body, 'body');
    assertUnchanged(comment, input.revision);
    res.json(toModeratedCommentJson(await decide('approve', comment, user.id, input)));
  });

  api.post(
    '/comments/:commentId/reject',
    { operationId: 'rejectComment', summary: 'Rejects a comment; 409 as for approve.', tags: ['moderation'], signedIn: 'required', params: commentParamsSchema, body: rejectSchema, problems: [403, 409], responses: moderated('The comment, with what moderators see.') },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    const input = parseInput(rejectSchema, req.body, 'body');
    assertUnchanged(comment, input.revision);
    res.json(toModeratedCommentJson(await decide('reject', comment, user.id, input)));
  });

  api.get(
    '/comments/:commentId/history',
    { operationId: 'commentHistory', summary: "Every moderation action on a comment, oldest first. Moderators of the comment's site.", tags: ['moderation'], signedIn: 'required', params: commentParamsSchema, problems: [403], responses: { 200: { description: 'The actions.', schema: historySchema } } },
    staffOnly, async (req, res) => {
    const comment = await loadModeratedComment(currentUser(req), String(req.params.commentId));
    res.json({ actions: await commentHistory(comment._id) });
  });

  api.post(
    '/comments/:commentId/flags',
    { operationId: 'flagComment', summary: 'Flags a comment for moderators; one flag per user per comment.', tags: ['comments'], signedIn: 'required', params: commentParamsSchema, body: flagSchema, problems: [403, 409], responses: { 201: { description: 'The flag.', schema: flagJsonSchema } } },
    limits.flag, requireUser, async (req, res) => {
    const input = parseInput(flagSchema, req.body, 'body');
    res.status(201).json(await flagComment(currentUser(req), String(req.params.commentId), input));
  });

  // Per-site bans: a site's moderators (and admins) ban on that site only.
  api.post(
    '/sites/:siteId/bans',
    { operationId: 'banOnSite', summary: "Bans a user on this site only: no posting, editing, voting or flagging here. The site's moderators or an admin.", tags: ['moderation'], signedIn: 'required', params: siteParamsSchema, body: siteBanSchema, problems: [403], responses: { 201: { description: 'The ban (banning again replaces reason and end).', schema: siteBanJsonSchema } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const input = parseInput(siteBanSchema, req.body, 'body');
    res.status(201).json(await banOnSite(user, String(site._id), input));
  });

  api.get(
    '/sites/:siteId/bans',
    { operationId: 'listSiteBans', summary: "The site's bans, paged.", tags: ['moderation'], signedIn: 'required', params: siteParamsSchema, query: listQuerySchema, problems: [403], responses: { 200: { description: 'A page of bans.', schema: siteBanListSchema } } },
    staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    res.json(await listSiteBans(String(site._id), parseInput(listQuerySchema, req.query, 'query')));
  });

  api.delete(
    '/sites/:siteId/bans/:userId',
    { operationId: 'liftSiteBan', summary: 'Lifts a ban on this site.', tags: ['moderation'], signedIn: 'required', params: siteUserParamsSchema, problems: [403], responses: { 204: { description: 'Done; no body.' } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    await liftSiteBan(user, String(site._id), String(req.params.userId));
    res.status(204).end();
  });

  // A ban on every site is an admin's act.
  api.post(
    '/users/:userId/ban',
    { operationId: 'banUser', summary: 'Admins only: bans a user on every site; they cannot post, edit, vote or flag; their sessions end.', tags: ['moderation'], signedIn: 'required', params: userParamsSchema, body: banSchema, problems: [403, 409], responses: { 200: { description: 'The user.', schema: moderatedUserSchema } } },
    adminOnly, async (req, res) => {
    const user = currentUser(req);
    const input = parseInput(banSchema, req.body, 'body');
    res.json(toModeratedUserJson(await banUser(user, String(req.params.userId), input), user));
  });

  api.delete(
    '/users/:userId/ban',
    { operationId: 'unbanUser', summary: 'Admins only: lifts a ban on every site.', tags: ['moderation'], signedIn: 'required', params: userParamsSchema, problems: [403], responses: { 200: { description: 'The user.', schema: moderatedUserSchema } } },
    adminOnly, async (req, res) => {
    const user = currentUser(req);
    res.json(toModeratedUserJson(await unbanUser(user, String(req.params.userId)), user));
  });

  return api.router;
}
