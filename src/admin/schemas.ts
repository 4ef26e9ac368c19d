import { z } from 'zod';

export { listQuerySchema } from '../moderation/schemas';

/** People search: a fragment of a name or an email address (admins only search by email). */
export const peopleQuerySchema = z
  .object({
    q: z.string().trim().min(2).max(100),
    siteId: z.string().regex(/^[a-f0-9]{24}$/i).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .strict();
