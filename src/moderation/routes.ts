import { Router } from 'express';
import { currentUser, requireRole, requireUser } from '../accounts/authenticate';
import type { AppContext } from '../context';
import { createRateLimiters } from '../http/rateLimit';
import { parseInput } from '../http/validate';
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
import { articleIdSchema } from '../comments/schemas';
import { conflict, notFound } from '../http/problem';
import {
  approveSchema,
  banSchema,
  bulkSchema,
  flagSchema,
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
  const router = Router();
  const limits = createRateLimiters(config);

  router.get('/sites/:siteId/moderation/queue', staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    const query = parseInput(queueQuerySchema, req.query, 'query');
    // endCursor: where the page ended even when nothing follows yet (the console polls from there).
    const page = await readQueue(String(site._id), query);
    res.json({ ...page, items: await withQueueContext(String(site._id), page.items) });
  });

  router.get('/sites/:siteId/moderation/search', staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    res.json(await searchComments(String(site._id), parseInput(searchQuerySchema, req.query, 'query')));
  });

  router.get('/sites/:siteId/moderation/watchlist', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    res.json(await readWatchList(user.id, String(site._id)));
  });

  router.put('/sites/:siteId/moderation/watchlist', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const input = parseInput(watchListSchema, req.body, 'body');
    res.json(await writeWatchList(user.id, String(site._id), input.articleIds));
  });

  router.post('/comments/:commentId/undo', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    const input = parseInput(undoSchema, req.body, 'body');
    res.json(toModeratedCommentJson(await undoDecision(comment, user.id, input.revision)));
  });

  router.get('/comments/:commentId/conversation', staffOnly, async (req, res) => {
    const comment = await loadModeratedComment(currentUser(req), String(req.params.commentId));
    res.json(await readConversation(comment));
  });

  // Featured comments (editors' picks): PUT features, DELETE unfeatures (the undo).
  router.put('/comments/:commentId/featured', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    res.json(toModeratedCommentJson(await setFeatured(comment, true, user.id)));
  });

  router.delete('/comments/:commentId/featured', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    res.json(toModeratedCommentJson(await setFeatured(comment, false, user.id)));
  });

  // Public: an article's featured comments, for the widget's Featured tab.
  router.get('/sites/:siteId/articles/:articleId/featured', async (req, res) => {
    const siteId = String(req.params.siteId);
    const article = articleIdSchema.safeParse(req.params.articleId);
    if (!/^[a-f0-9]{24}$/i.test(siteId) || !article.success) throw notFound('No such article.');
    res.setHeader('Cache-Control', 'public, max-age=30');
    res.json(await listFeatured(siteId, article.data));
  });

  router.post('/sites/:siteId/moderation/bulk', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const input = parseInput(bulkSchema, req.body, 'body');
    res.json({ updated: await decideMany(input.action, String(site._id), input.ids, user.id) });
  });

  router.post('/comments/:commentId/approve', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    const input = parseInput(approveSchema, req.body, 'body');
    assertUnchanged(comment, input.revision);
    res.json(toModeratedCommentJson(await decide('approve', comment, user.id, input)));
  });

  router.post('/comments/:commentId/reject', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    const input = parseInput(rejectSchema, req.body, 'body');
    assertUnchanged(comment, input.revision);
    res.json(toModeratedCommentJson(await decide('reject', comment, user.id, input)));
  });

  router.get('/comments/:commentId/history', staffOnly, async (req, res) => {
    const comment = await loadModeratedComment(currentUser(req), String(req.params.commentId));
    res.json({ actions: await commentHistory(comment._id) });
  });

  router.post('/comments/:commentId/flags', limits.flag, requireUser, async (req, res) => {
    const input = parseInput(flagSchema, req.body, 'body');
    res.status(201).json(await flagComment(currentUser(req), String(req.params.commentId), input));
  });

  // Per-site bans: a site's moderators (and admins) ban on that site only.
  router.post('/sites/:siteId/bans', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    const input = parseInput(siteBanSchema, req.body, 'body');
    res.status(201).json(await banOnSite(user, String(site._id), input));
  });

  router.get('/sites/:siteId/bans', staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    res.json(await listSiteBans(String(site._id), parseInput(listQuerySchema, req.query, 'query')));
  });

  router.delete('/sites/:siteId/bans/:userId', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    await liftSiteBan(user, String(site._id), String(req.params.userId));
    res.status(204).end();
  });

  // A ban on every site is an admin's act.
  router.post('/users/:userId/ban', adminOnly, async (req, res) => {
    const user = currentUser(req);
    const input = parseInput(banSchema, req.body, 'body');
    res.json(toModeratedUserJson(await banUser(user, String(req.params.userId), input), user));
  });

  router.delete('/users/:userId/ban', adminOnly, async (req, res) => {
    const user = currentUser(req);
    res.json(toModeratedUserJson(await unbanUser(user, String(req.params.userId)), user));
  });

  return router;
}
