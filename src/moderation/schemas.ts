import { z } from 'zod';
import { userJsonSchema } from '../accounts/schemas';
import { COMMENT_STATUSES, REASON_CODES } from '../comments/comment.model';
import { articleIdSchema, commentJsonSchema } from '../comments/schemas';
import { isoDateTime, objectIdString } from '../http/validate';
import { FLAG_REASONS } from '../shared/limits';
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

export const userParamsSchema = z.object({ userId: objectIdString });
export const siteUserParamsSchema = z.object({ siteId: objectIdString, userId: objectIdString });

/* Answers. */

export const reasonJsonSchema = z
  .object({
    code: z.enum(REASON_CODES),
    detail: z.string().optional(),
    matches: z
      .array(z.object({ start: z.number().int().min(0), end: z.number().int().min(0) }))
      .optional()
      .meta({ description: 'Word reasons only: UTF-16 offsets of each matched word in the body, end exclusive.' }),
  })
  .meta({ id: 'Reason', description: 'Why moderation held or rejected a comment.' });

/** The public `comment` shape plus what a moderator needs to decide. */
export const moderatedCommentSchema = commentJsonSchema
  .omit({ viewerVote: true })
  .extend({
    replies: z.array(z.never()).meta({ description: 'Always empty: moderators see comments one by one.' }),
    previousStatus: z.enum(COMMENT_STATUSES).nullable(),
    reasons: z.array(reasonJsonSchema),
    flagged: z.boolean(),
    flagCount: z.number().int().min(0),
    revision: z.number().int().min(0),
  })
  .meta({ id: 'ModeratedComment' });

export const flagSummarySchema = z
  .object({ reason: z.enum(FLAG_REASONS), note: z.string().nullable(), at: isoDateTime })
  .meta({ id: 'FlagSummary' });

const countsByStatus = z.object(Object.fromEntries(COMMENT_STATUSES.map((status) => [status, z.number().int().min(0)])));

/** The author line of a queue item: account age, their comments here by status, bans. */
export const authorSummarySchema = z
  .object({
    id: objectIdString,
    displayName: z.string(),
    accountCreatedAt: isoDateTime.nullable(),
    counts: countsByStatus,
    bannedHere: z.boolean(),
    bannedEverywhere: z.boolean(),
  })
  .meta({ id: 'AuthorSummary' });

export const queueItemSchema = moderatedCommentSchema
  .extend({
    flags: z.array(flagSummarySchema),
    parent: z
      .object({ id: objectIdString, author: z.string(), body: z.string(), status: z.enum(COMMENT_STATUSES) })
      .nullable()
      .meta({ description: 'The comment this one answers (empty body when deleted); null for a root.' }),
    authorRecord: authorSummarySchema.nullable().meta({ description: "The author's record on this site; null for guests." }),
  })
  .meta({ id: 'QueueItem' });

export const queuePageSchema = z
  .object({
    items: z.array(queueItemSchema),
    nextCursor: z.string().nullable(),
    endCursor: z.string().nullable().meta({ description: 'Continues after the last item even on the last page (for polling).' }),
  })
  .meta({ id: 'QueuePage' });

export const flagJsonSchema = z
  .object({
    id: z.string(),
    commentId: objectIdString,
    reason: z.enum(FLAG_REASONS),
    note: z.string().nullable(),
    createdAt: isoDateTime,
  })
  .meta({ id: 'Flag' });

export const historyEntrySchema = z
  .object({
    action: z.string(),
    actor: z
      .object({ id: z.string(), displayName: z.string() })
      .nullable()
      .meta({ description: "Null for the machine's own actions." }),
    reason: z.string().nullable(),
    note: z.string().nullable(),
    at: isoDateTime,
  })
  .meta({ id: 'ModerationAction' });

export const historySchema = z.object({ actions: z.array(historyEntrySchema) });

export const bulkResultSchema = z.object({ updated: z.number().int().min(0) });

/** The `user` shape as a moderator sees it, plus the ban's details. */
export const moderatedUserSchema = userJsonSchema
  .extend({ bannedUntil: isoDateTime.nullable(), banReason: z.string().nullable() })
  .meta({ id: 'ModeratedUser' });

export const siteBanJsonSchema = z
  .object({
    id: z.string(),
    siteId: objectIdString,
    userId: objectIdString,
    user: z.object({ id: objectIdString, displayName: z.string() }),
    reason: z.string(),
    until: isoDateTime.nullable(),
    createdBy: objectIdString,
    createdAt: isoDateTime,
  })
  .meta({ id: 'SiteBan' });

export const siteBanListSchema = z.object({ items: z.array(siteBanJsonSchema), nextCursor: z.string().nullable() });

export const searchResultSchema = z.object({
  items: z.array(moderatedCommentSchema),
  nextCursor: z.string().nullable(),
  scanned: z.number().int().min(0).meta({ description: 'Comments read by this call (at most 2,000).' }),
});

export const conversationSchema = z.object({ rootId: objectIdString, items: z.array(moderatedCommentSchema) });

export const watchListJsonSchema = z.object({ articleIds: z.array(z.string()) });
