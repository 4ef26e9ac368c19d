import type { Router } from 'express';
import { currentUser, requireRole } from '../accounts/authenticate';
import { parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import { siteIdParamsSchema } from '../sites/schemas';
import { loadModeratedSite } from '../moderation/access';
import type { AppContext } from '../context';
import { embedSnippet } from './embed';
import { searchPeople } from './people';
import { commenterRecord } from './record';
import {
  commenterRecordSchema,
  embedSnippetSchema,
  listQuerySchema,
  peopleQuerySchema,
  siteListSchema,
  siteModeratorParamsSchema,
  userListSchema,
} from './schemas';
import { grantModerator, listModerators, listSites, revokeModerator } from './service';
import { canModerateSite } from '../accounts/authenticate';
import { forbidden } from '../http/problem';

const staffOnly = requireRole('moderator', 'admin');
const adminOnly = requireRole('admin');

/** Administration: the sites one runs, their moderators, people and commenters' records. */
export function adminRoutes({ config }: Pick<AppContext, 'config'>): Router {
  const api = documentedRouter();

  api.get(
    '/sites',
    { operationId: 'listSites', summary: 'Every site for an admin; the moderated ones for a moderator. Paged on id.', tags: ['sites'], signedIn: 'required', problems: [403], query: listQuerySchema, responses: { 200: { description: 'A page of sites.', schema: siteListSchema } } },
    staffOnly, async (req, res) => {
    res.json(await listSites(currentUser(req), parseInput(listQuerySchema, req.query, 'query')));
  });

  api.get(
    '/sites/:siteId/moderators',
    { operationId: 'listModerators', summary: "The site's moderators (admins, or a moderator of the site). Emails only for admins.", tags: ['sites'], signedIn: 'required', problems: [403], params: siteIdParamsSchema, responses: { 200: { description: 'The moderators.', schema: userListSchema } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    res.json(await listModerators(user, String(site._id)));
  });

  api.put(
    '/sites/:siteId/moderators/:userId',
    { operationId: 'grantModerator', summary: 'Admins only: the user moderates the site (a commenter becomes a moderator).', tags: ['sites'], signedIn: 'required', problems: [403], params: siteModeratorParamsSchema, responses: { 204: { description: 'Done; no body.' } } },
    adminOnly, async (req, res) => {
    await grantModerator(String(req.params.siteId), String(req.params.userId));
    res.status(204).end();
  });

  api.delete(
    '/sites/:siteId/moderators/:userId',
    { operationId: 'revokeModerator', summary: 'Admins only: the user no longer moderates the site (with no site left, a commenter again).', tags: ['sites'], signedIn: 'required', problems: [403], params: siteModeratorParamsSchema, responses: { 204: { description: 'Done; no body.' } } },
    adminOnly, async (req, res) => {
    await revokeModerator(String(req.params.siteId), String(req.params.userId));
    res.status(204).end();
  });

  api.get(
    '/people',
    { operationId: 'searchPeople', summary: 'Admins: accounts by email prefix or name prefix. Moderators: by name prefix, only people who commented on their sites.', tags: ['sites'], signedIn: 'required', problems: [403], query: peopleQuerySchema, responses: { 200: { description: 'The people found.', schema: userListSchema } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const query = parseInput(peopleQuerySchema, req.query, 'query');
    if (query.siteId && !canModerateSite(user, query.siteId)) throw forbidden('You do not moderate this site.');
    const siteIds = query.siteId ? [query.siteId] : user.moderatedSiteIds;
    res.json(await searchPeople(user, query.q, siteIds, query.limit));
  });

  api.get(
    '/sites/:siteId/users/:userId',
    { operationId: 'commenterRecord', summary: "A commenter's record on the site: comments by status, flags against them, decisions and bans.", tags: ['sites'], signedIn: 'required', problems: [403], params: siteModeratorParamsSchema, responses: { 200: { description: 'The record.', schema: commenterRecordSchema } } },
    staffOnly, async (req, res) => {
    const user = currentUser(req);
    const site = await loadModeratedSite(user, String(req.params.siteId));
    res.json(await commenterRecord(user, String(site._id), String(req.params.userId)));
  });

  api.get(
    '/sites/:siteId/embed',
    { operationId: 'embedSnippet', summary: 'The HTML a site pastes into its pages (widget and count badge), with its id and this service address.', tags: ['sites'], signedIn: 'required', problems: [403], params: siteIdParamsSchema, responses: { 200: { description: 'The snippets.', schema: embedSnippetSchema } } },
    staffOnly, async (req, res) => {
    const site = await loadModeratedSite(currentUser(req), String(req.params.siteId));
    res.json(embedSnippet(config.PUBLIC_URL, String(site._id)));
  });

  return api.router;
}
