import type { Router } from 'express';
import { currentUser, requireRole } from '../accounts/authenticate';
import { parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import type { AppContext } from '../context';
import {
  createWebhookSchema,
  deliveriesQuerySchema,
  deliveryListSchema,
  siteParamsSchema as siteParams,
  webhookJsonSchema,
  webhookListSchema,
  webhookParamsSchema as webhookParams,
} from './schemas';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks } from './service';

/** A site's webhooks (admin only): register, list, remove, and read one webhook's delivery log. */
export function webhookRoutes(context: AppContext): Router {
  const api = documentedRouter();
  const admin = requireRole('admin');

  api.get(
    '/sites/:siteId/webhooks',
    { operationId: 'listWebhooks', summary: "Admins only: the site's webhooks (without their secrets).", tags: ['administration'], signedIn: 'required', problems: [403], params: siteParams, responses: { 200: { description: 'The webhooks.', schema: webhookListSchema } } },
    admin, async (req, res) => {
    const { siteId } = parseInput(siteParams, req.params, 'params');
    res.json({ items: await listWebhooks(siteId) });
  });

  api.post(
    '/sites/:siteId/webhooks',
    { operationId: 'createWebhook', summary: 'Admins only: registers a URL for events; the answer shows the signing secret, once.', tags: ['administration'], signedIn: 'required', problems: [403, 422], params: siteParams, body: createWebhookSchema, responses: { 201: { description: 'The webhook with its `whsec_` secret.', schema: webhookJsonSchema } } },
    admin, async (req, res) => {
    const { siteId } = parseInput(siteParams, req.params, 'params');
    const input = parseInput(createWebhookSchema, req.body, 'body');
    const created = await createWebhook(siteId, input, {
      createdBy: currentUser(req).id,
      allowPrivateTargets: context.config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    });
    res.status(201).setHeader('Cache-Control', 'no-store');
    res.json(created);
  });

  api.delete(
    '/sites/:siteId/webhooks/:webhookId',
    { operationId: 'deleteWebhook', summary: 'Admins only: removes a webhook and its undelivered events.', tags: ['administration'], signedIn: 'required', problems: [403], params: webhookParams, responses: { 204: { description: 'Done; no body.' } } },
    admin, async (req, res) => {
    const { siteId, webhookId } = parseInput(webhookParams, req.params, 'params');
    await deleteWebhook(siteId, webhookId);
    res.status(204).end();
  });

  api.get(
    '/sites/:siteId/webhooks/:webhookId/deliveries',
    { operationId: 'webhookDeliveries', summary: "Admins only: the webhook's delivery log, newest first, with the last answer of each.", tags: ['administration'], signedIn: 'required', problems: [403], params: webhookParams, query: deliveriesQuerySchema, responses: { 200: { description: 'The deliveries.', schema: deliveryListSchema } } },
    admin, async (req, res) => {
    const { siteId, webhookId } = parseInput(webhookParams, req.params, 'params');
    const { limit } = parseInput(deliveriesQuerySchema, req.query, 'query');
    res.json({ items: await listDeliveries(siteId, webhookId, limit) });
  });

  return api.router;
}
