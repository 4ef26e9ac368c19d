import { Router } from 'express';
import { currentUser, requireRole } from '../accounts/authenticate';
import { parseInput } from '../http/validate';
import { loadModeratedSite } from '../moderation/access';
import { listQuerySchema } from './schemas';
import { grantModerator, listModerators, listSites, revokeModerator } from './service';

const staffOnly = requireRole('moderator', 'admin');
const adminOnly = requireRole('admin');

/** Administration: the sites one runs, their moderators, people and commenters' records. */
export function adminRoutes(): Router {
  const router = Router();

  router.get('/sites', staffOnly, async (req, res) => {
    res.json(await listSites(currentUser(req), parseInput(listQuerySchema, req.query, 'query')));
  });

  router.get('/sites/:siteId/moderators', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    res.json(await listModerators(user, String(site._id)));
  });

  router.put('/sites/:siteId/moderators/:userId', adminOnly, async (req, res) => {
    await grantModerator(String(req.params.siteId), String(req.params.userId));
    res.status(204).end();
  });

  router.delete('/sites/:siteId/moderators/:userId', adminOnly, async (req, res) => {
    await revokeModerator(String(req.params.siteId), String(req.params.userId));
    res.status(204).end();
  });

  return router;
}
