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
import {
  approveSchema,
  banSchema,
  bulkSchema,
  flagSchema,
  listQuerySchema,
  queueQuerySchema,
  rejectSchema,
  siteBanSchema,
} from './schemas';
import { toModeratedUserJson } from './userJson';
import { toModeratedCommentJson } from './view';

const staffOnly = requireRole('moderator', 'admin');
const adminOnly = requireRole('admin');

/** The moderation queue and its decisions, readers' flags, and bans. */
export function moderationRoutes({ config }: AppContext): Router {
  const router = Router();
  const limits = createRateLimiters(config);

  router.get('/sites/:siteId/moderation/queue', staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    const query = parseInput(queueQuerySchema, req.query, 'query');
    res.json(await readQueue(String(site._id), query));
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
    res.json(toModeratedCommentJson(await decide('approve', comment, user.id, input)));
  });

  router.post('/comments/:commentId/reject', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const comment = await loadModeratedComment(user, String(req.params.commentId));
    const input = parseInput(rejectSchema, req.body, 'body');
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
