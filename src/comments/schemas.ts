import { z } from 'zod';
import { personName } from '../accounts/names';
import { objectIdString } from '../http/validate';
import { THREAD_SORTS } from './cursor';

/** The longest comment, counted after trimming. */
export const MAX_COMMENT_LENGTH = 5000;
export const ARTICLE_ID_PATTERN = /^[A-Za-z0-9._~:-]{1,200}$/;
export const MAX_THREAD_LIMIT = 100;
export const DEFAULT_THREAD_LIMIT = 20;
export const MAX_COUNT_ARTICLES = 100;

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

export const articleIdSchema = z.string().regex(ARTICLE_ID_PATTERN, 'must be 1-200 characters of A-Z a-z 0-9 . _ ~ : -');

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
      .max(MAX_COUNT_ARTICLES * 201)
      .transform((list) => [...new Set(list.split(',').filter((id) => id !== ''))])
      .pipe(z.array(articleIdSchema).min(1, 'name at least one article').max(MAX_COUNT_ARTICLES)),
  })
  .strict();
