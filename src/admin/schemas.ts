import { z } from 'zod';
import { userJsonSchema } from '../accounts/schemas';
import { isoDateTime, objectIdString } from '../http/validate';
import { authorSummarySchema, moderatedCommentSchema } from '../moderation/schemas';
import { idPageSchema, siteJsonSchema } from '../sites/schemas';

export { listQuerySchema } from '../moderation/schemas';

export const siteModeratorParamsSchema = z.object({ siteId: objectIdString, userId: objectIdString });

/** People search: a fragment of a name or an email address (admins only search by email). */
export const peopleQuerySchema = z
  .object({
    q: z.string().trim().min(2).max(100),
    siteId: objectIdString.optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
  })
  .strict();

/* Answers. */

export const siteListSchema = idPageSchema(siteJsonSchema);
export const userListSchema = z.object({ items: z.array(userJsonSchema) });

export const commenterRecordSchema = z.object({
  user: userJsonSchema.extend({ createdAt: isoDateTime.nullable() }),
  summary: authorSummarySchema,
  comments: z.array(moderatedCommentSchema),
  flagsAgainst: z.object({
    total: z.number().int().min(0),
    recent: z.array(z.object({ commentId: objectIdString, reason: z.string(), note: z.string().nullable(), at: isoDateTime })),
  }),
  decisions: z.array(
    z.object({
      action: z.string(),
      commentId: objectIdString.nullable(),
      actorId: objectIdString.nullable(),
      reason: z.string().nullable(),
      at: isoDateTime,
    }),
  ),
  bans: z.array(
    z.object({
      scope: z.enum(['site', 'everywhere']),
      reason: z.string().nullable(),
      until: isoDateTime.nullable(),
      active: z.boolean(),
      createdAt: isoDateTime.nullable(),
    }),
  ),
});
export type CommenterRecordJson = z.output<typeof commenterRecordSchema>;

export const embedSnippetSchema = z.object({
  html: z.string().meta({ description: 'The comments box: a div and the widget script.' }),
  countHtml: z.string().meta({ description: 'A comment count badge and its script.' }),
});
