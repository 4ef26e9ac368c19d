import { z } from 'zod';
import { objectIdString } from '../http/validate';
import { FLAG_REASONS } from './flag.model';
import { QUEUE_STATUSES } from './queue';

const note = z.string().trim().max(500);

export const queueQuerySchema = z
  .object({
    status: z.enum(QUEUE_STATUSES).default('pending'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

export const approveSchema = z.object({ note: note.optional() }).strict();

export const rejectSchema = z
  .object({ reason: z.string().trim().min(1).max(200), note: note.optional() })
  .strict();

export const bulkSchema = z
  .object({ action: z.enum(['approve', 'reject']), ids: z.array(objectIdString).min(1).max(100) })
  .strict();

export const flagSchema = z.object({ reason: z.enum(FLAG_REASONS), note: note.optional() }).strict();

const banFields = {
  reason: z.string().trim().min(1).max(500),
  until: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .refine((date) => date.getTime() > Date.now(), 'must be in the future')
    .optional(),
};

export const banSchema = z.object(banFields).strict();

export const siteBanSchema = z.object({ userId: objectIdString, ...banFields }).strict();

/** `?limit=&cursor=` of the plain lists (bans, sites). */
export const listQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();
