import { z } from 'zod';
import { WEBHOOK_EVENTS } from './webhook.model';

export const createWebhookSchema = z
  .object({
    url: z.string().max(2000, 'at most 2000 characters'),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1, 'name at least one event').max(WEBHOOK_EVENTS.length * 2),
  })
  .strict();

export const deliveriesQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }).strict();
