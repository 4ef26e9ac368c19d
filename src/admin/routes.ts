import { Router } from 'express';
import { currentUser, requireRole } from '../accounts/authenticate';
import { parseInput } from '../http/validate';
import { loadModeratedSite } from '../moderation/access';
import type { AppContext } from '../context';
import { embedSnippet } from './embed';
import { searchPeople } from './people';
import { commenterRecord } from './record';
import { listQuerySchema, peopleQuerySchema } from './schemas';
import { grantModerator, listModerators, listSites, revokeModerator } from './service';
import { canModerateSite } from '../accounts/authenticate';
import { forbidden } from '../http/problem';

const staffOnly = requireRole('moderator', 'admin');
const adminOnly = requireRole('admin');

/** Administration: the sites one runs, their moderators, people and commenters' records. */
export function adminRoutes({ config }: Pick<AppContext, 'config'>): Router {
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

  router.get('/people', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const query = parseInput(peopleQuerySchema, req.query, 'query');
    if (query.siteId && !canModerateSite(user, query.siteId)) throw forbidden('You do not moderate this site.');
    const siteIds = query.siteId ? [query.siteId] : user.moderatedSiteIds;
    res.json(await searchPeople(user, query.q, siteIds, query.limit));
  });

  router.get('/sites/:siteId/users/:userId', staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    res.json(await commenterRecord(user, String(site._id), String(req.params.userId)));
  });

  router.get('/sites/:siteId/embed', staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    res.json(embedSnippet(config.PUBLIC_URL, String(site._id)));
  });

  return router;
}
