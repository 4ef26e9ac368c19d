import { z } from 'zod';
import { articleIdSchema } from '../comments/schemas';
import { objectIdString } from '../http/validate';
import { FLAG_REASONS } from './flag.model';
import { QUEUE_STATUSES } from './queue';

const note = z.string().trim().max(500);

export const queueQuerySchema = z
  .object({
    status: z.enum(QUEUE_STATUSES).default('pending'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(200).optional(),
    /** Comma-separated article ids: the queue of a watch list. */
    articles: z
      .string()
      .max(10_000)
      .transform((value) => value.split(',').filter(Boolean))
      .pipe(z.array(articleIdSchema).max(50))
      .optional(),
  })
  .strict();

/** The revision the moderator decided on (as read from the queue): another moderator's change since is a 409. */
const seenRevision = z.number().int().min(0).optional();

export const approveSchema = z.object({ note: note.optional(), revision: seenRevision }).strict();

export const rejectSchema = z
  .object({ reason: z.string().trim().min(1).max(200), note: note.optional(), revision: seenRevision })
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

export const undoSchema = z.object({ revision: z.number().int().min(0) }).strict();

export const searchQuerySchema = z
  .object({
    q: z.string().trim().min(1).max(200).optional(),
    author: z.string().trim().min(1).max(100).optional(),
    article: articleIdSchema.optional(),
    status: z.enum(['approved', 'pending', 'rejected', 'deleted']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();

export const watchListSchema = z.object({ articleIds: z.array(articleIdSchema).max(50) }).strict();
