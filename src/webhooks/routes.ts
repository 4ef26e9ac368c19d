import { Router } from 'express';
import { currentUser, requireRole } from '../accounts/authenticate';
import { objectIdString, parseInput } from '../http/validate';
import type { AppContext } from '../context';
import { z } from 'zod';
import { createWebhookSchema, deliveriesQuerySchema } from './schemas';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks } from './service';

const siteParams = z.object({ siteId: objectIdString }).strict();
const webhookParams = z.object({ siteId: objectIdString, webhookId: z.string().max(64) }).strict();

/** A site's webhooks (admin only): register, list, remove, and read one webhook's delivery log. */
export function webhookRoutes(context: AppContext): Router {
  const router = Router();
  const admin = requireRole('admin');

  router.get('/sites/:siteId/webhooks', admin, async (req, res) => {
    const { siteId } = parseInput(siteParams, req.params, 'params');
    res.json({ items: await listWebhooks(siteId) });
  });

  router.post('/sites/:siteId/webhooks', admin, async (req, res) => {
    const { siteId } = parseInput(siteParams, req.params, 'params');
    const input = parseInput(createWebhookSchema, req.body, 'body');
    const created = await createWebhook(siteId, input, {
      createdBy: currentUser(req).id,
      allowPrivateTargets: context.config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    });
    res.status(201).setHeader('Cache-Control', 'no-store');
    res.json(created);
  });

  router.delete('/sites/:siteId/webhooks/:webhookId', admin, async (req, res) => {
    const { siteId, webhookId } = parseInput(webhookParams, req.params, 'params');
    await deleteWebhook(siteId, webhookId);
    res.status(204).end();
  });

  router.get('/sites/:siteId/webhooks/:webhookId/deliveries', admin, async (req, res) => {
    const { siteId, webhookId } = parseInput(webhookParams, req.params, 'params');
    const { limit } = parseInput(deliveriesQuerySchema, req.query, 'query');
    res.json({ items: await listDeliveries(siteId, webhookId, limit) });
  });

  return router;
}
