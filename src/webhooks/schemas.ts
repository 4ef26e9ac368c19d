import { z } from 'zod';
import { isoDateTime, objectIdString } from '../http/validate';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS } from './webhook.model';

export const createWebhookSchema = z
  .object({
    url: z.string().max(2000, 'at most 2000 characters'),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, 'name at least one event').max(WEBHOOK_EVENTS.length * 2),
  })
  .strict();

export const deliveriesQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }).strict();

export const siteParamsSchema = z.object({ siteId: objectIdString }).strict();
export const webhookParamsSchema = z.object({ siteId: objectIdString, webhookId: z.string().max(64) }).strict();

/* Answers. */

export const webhookJsonSchema = z
  .object({
    id: z.string(),
    siteId: objectIdString,
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    createdAt: isoDateTime,
    secret: z.string().regex(/^whsec_/).optional().meta({ description: 'Only in the answer to the POST that created it.' }),
  })
  .meta({ id: 'Webhook' });

export const deliveryJsonSchema = z
  .object({
    id: z.string().meta({ description: 'The `webhook-id` header of its attempts.' }),
    event: z.enum(WEBHOOK_EVENTS),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int().min(0),
    nextAttemptAt: isoDateTime.nullable(),
    lastAttemptAt: isoDateTime.nullable(),
    lastResponse: z.object({ status: z.number().int().nullable(), body: z.string(), error: z.string().nullable() }).nullable(),
    createdAt: isoDateTime,
  })
  .meta({ id: 'WebhookDelivery' });

export const webhookListSchema = z.object({ items: z.array(webhookJsonSchema) });
export const deliveryListSchema = z.object({ items: z.array(deliveryJsonSchema) });
