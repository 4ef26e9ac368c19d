import { Router } from 'express';
import { currentUser, requireRole, requireUser } from '../accounts/authenticate';
import { forbidden } from '../http/problem';
import { parseInput } from '../http/validate';
import { canViewSite } from './policy';
import { createSiteSchema, settingsPatchSchema } from './schemas';
import { createSite, getSite, toSiteJson, updateSiteSettings } from './service';

/** Tenants: admins create sites and change their settings; a site's moderators may read it. */
export function siteRoutes(): Router {
  const router = Router();

  router.post('/sites', requireRole('admin'), async (req, res) => {
    const input = parseInput(createSiteSchema, req.body, 'body');
    const site = await createSite({ ...input, createdBy: currentUser(req).id });
    res.status(201).json(site);
  });

  router.get('/sites/:siteId', requireUser, async (req, res) => {
    const siteId = String(req.params.siteId);
    if (!canViewSite(currentUser(req), siteId)) throw forbidden('Only admins and this site\'s moderators can read it.');
    res.json(toSiteJson(await getSite(siteId)));
  });

  router.patch('/sites/:siteId/settings', requireRole('admin'), async (req, res) => {
    const patch = parseInput(settingsPatchSchema, req.body, 'body');
    res.json(await updateSiteSettings(String(req.params.siteId), patch));
  });

  return router;
}
