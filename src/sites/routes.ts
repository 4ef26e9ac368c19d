import type { Router } from 'express';
import { currentUser, requireRole, requireUser } from '../accounts/authenticate';
import { forbidden } from '../http/problem';
import { parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import { canViewSite } from './policy';
import { createSiteSchema, settingsPatchSchema, siteIdParamsSchema, siteJsonSchema } from './schemas';
import { createSite, getSite, toSiteJson, updateSiteSettings } from './service';

/** Tenants: admins create sites and change their settings; a site's moderators may read it. */
export function siteRoutes(): Router {
  const api = documentedRouter();
  const siteAnswer = (description: string) => ({ description, schema: siteJsonSchema });

  api.post(
    '/sites',
    {
      operationId: 'createSite',
      summary: 'Creates a site (tenant). Admin.',
      tags: ['sites'],
      signedIn: 'required',
      body: createSiteSchema,
      problems: [403],
      responses: { 201: siteAnswer('The new site.') },
    },
    requireRole('admin'),
    async (req, res) => {
      const input = parseInput(createSiteSchema, req.body, 'body');
      const site = await createSite({ ...input, createdBy: currentUser(req).id });
      res.status(201).json(site);
    },
  );

  api.get(
    '/sites/:siteId',
    {
      operationId: 'getSite',
      summary: "Reads a site. Admins and the site's moderators.",
      tags: ['sites'],
      signedIn: 'required',
      params: siteIdParamsSchema,
      problems: [403],
      responses: { 200: siteAnswer('The site.') },
    },
    requireUser,
    async (req, res) => {
      const siteId = String(req.params.siteId);
      if (!canViewSite(currentUser(req), siteId)) throw forbidden("Only admins and this site's moderators can read it.");
      res.json(toSiteJson(await getSite(siteId)));
    },
  );

  api.patch(
    '/sites/:siteId/settings',
    {
      operationId: 'updateSiteSettings',
      summary: 'Changes some settings of a site. Admin.',
      tags: ['sites'],
      signedIn: 'required',
      params: siteIdParamsSchema,
      body: settingsPatchSchema,
      problems: [403],
      responses: { 200: siteAnswer('The site.') },
    },
    requireRole('admin'),
    async (req, res) => {
      const patch = parseInput(settingsPatchSchema, req.body, 'body');
      res.json(await updateSiteSettings(String(req.params.siteId), patch));
    },
  );

  return api.router;
}
