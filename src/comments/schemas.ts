import { z } from 'zod';
import { personName } from '../accounts/names';
import { isoDateTime, objectIdString } from '../http/validate';
import { ARTICLE_ID_PATTERN, MAX_COMMENT_LENGTH } from '../shared/limits';
import { COMMENT_STATUSES } from './comment.model';
import { THREAD_SORTS } from './cursor';

export { ARTICLE_ID_PATTERN, MAX_COMMENT_LENGTH } from '../shared/limits';
export const MAX_THREAD_LIMIT = 100;
export const DEFAULT_THREAD_LIMIT = 20;
export const MAX_COUNT_ARTICLES = 100;
/**
 * The article list's length, well inside what Node's HTTP server reads as a request line and headers
 * (16 KB; past that it answers 431 itself, before any route).
 */
export const MAX_COUNT_ARTICLES_LENGTH = 8000;

const commentBody = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH} characters`);

/** An http(s) address without credentials, at most 200 characters; stored in its normalised form. */
const guestWebsite = z
  .string()
  .trim()
  .max(200)
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an http(s) address like https://example.org' });
      return z.NEVER;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
      ctx.addIssue({ code: 'custom', message: 'must be an http(s) address without user name or password' });
      return z.NEVER;
    }
    return url.toString();
  });

export const articleIdSchema = z
  .string()
  .regex(ARTICLE_ID_PATTERN, 'must be 1-200 characters of A-Z a-z 0-9 . _ ~ : -')
  .meta({ description: "The site's own key for the page: a slug or URL-safe id." });

export const postCommentSchema = z
  .object({
    body: commentBody,
    parentId: objectIdString.nullable().optional(),
    /** Mail me replies to this comment (signed-in readers with a confirmed address). */
    notifyReplies: z.boolean().optional(),
    guest: z
      .object({
        name: personName(60),
        email: z.email().max(254).transform((email) => email.toLowerCase()),
        /** Shown as the name's link (rel="nofollow ugc"); counts toward the site's link limit. */
        website: guestWebsite.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const editCommentSchema = z.object({ body: commentBody }).strict();

export const previewCommentSchema = editCommentSchema;

export const voteSchema = z
  .object({ value: z.union([z.literal(1), z.literal(0), z.literal(-1)], { message: 'must be 1, 0 or -1' }) })
  .strict();

export const threadQuerySchema = z
  .object({
    sort: z.enum(THREAD_SORTS).default('oldest'),
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_THREAD_LIMIT))
      .default(DEFAULT_THREAD_LIMIT),
    cursor: z.string().min(1).max(512).optional(),
  })
  .strict();

export const countsQuerySchema = z
  .object({
    articles: z
      .string()
      .max(MAX_COUNT_ARTICLES_LENGTH, `must be at most ${MAX_COUNT_ARTICLES_LENGTH} characters`)
      .regex(/^[A-Za-z0-9._~:,-]+$/, 'must be article ids (A-Z a-z 0-9 . _ ~ : -) separated by commas')
      .meta({ description: `Comma-separated article ids, at most ${MAX_COUNT_ARTICLES}.` })
      .transform((list) => [...new Set(list.split(',').filter((id) => id !== ''))])
      .pipe(z.array(articleIdSchema).min(1, 'name at least one article').max(MAX_COUNT_ARTICLES)),
  })
  .strict();

export const siteParamsSchema = z.object({ siteId: objectIdString });
export const commentParamsSchema = z.object({ commentId: objectIdString });
export const articleParamsSchema = z.object({ siteId: objectIdString, articleId: articleIdSchema });

/* Answers. */

export const authorJsonSchema = z
  .object({
    id: objectIdString.nullable().meta({ description: 'Null for guests and deleted comments.' }),
    displayName: z.string(),
    guest: z.boolean().meta({ description: 'True for a name typed into the guest form (no account).' }),
    website: z.string().optional().meta({ description: "A guest's website, shown as the name's link (rel=\"nofollow ugc\")." }),
  })
  .meta({ id: 'Author' });

/** The public shape of a comment. A guest's email never leaves the service. */
export const commentJsonSchema = z
  .object({
    id: objectIdString,
    siteId: objectIdString,
    articleId: z.string(),
    parentId: objectIdString.nullable().meta({ description: 'The comment this replies to; null for a root.' }),
    depth: z.number().int().min(0),
    author: authorJsonSchema,
    body: z.string().meta({ description: 'The raw text; empty for a deleted comment.' }),
    html: z.string().meta({ description: 'Rendered and sanitized; safe to insert into a page.' }),
    status: z.enum(COMMENT_STATUSES),
    score: z.number().int(),
    createdAt: isoDateTime,
    editedAt: isoDateTime.nullable(),
    featured: z.boolean().meta({ description: "An editors' pick: the widget shows these first, under their own tab." }),
    get replies(): z.ZodArray<typeof commentJsonSchema> {
      return z.array(commentJsonSchema);
    },
    viewerVote: z
      .union([z.literal(-1), z.literal(1)])
      .optional()
      .meta({ description: 'In thread pages for a signed-in viewer: their own vote, on comments they voted on.' }),
  })
  .meta({ id: 'Comment' });
export type CommentJson = z.output<typeof commentJsonSchema>;

export const commentPageSchema = z
  .object({
    editWindowSeconds: z.number().int().min(0).meta({ description: "The site's edit window, for the widget." }),
    allowGuests: z.boolean().meta({
      description: 'Whether a signed-out reader may post as a guest here (allowGuests, and no confirmed email required).',
    }),
    staff: z
      .array(objectIdString)
      .optional()
      .meta({ description: "The site's moderators and admins among the page's authors, for a badge; absent when there are none." }),
    comments: z.array(commentJsonSchema),
    nextCursor: z.string().nullable(),
    total: z.number().int().min(0),
  })
  .meta({ id: 'CommentPage' });
export type CommentPageJson = z.output<typeof commentPageSchema>;

export const commentCountsSchema = z
  .record(z.string(), z.number().int().min(0))
  .meta({ description: 'Approved comments by article id.' });

export const voteResultSchema = z.object({ score: z.number().int() });
export const previewJsonSchema = z.object({ html: z.string() });
export const featuredListSchema = z.object({ comments: z.array(commentJsonSchema) });
