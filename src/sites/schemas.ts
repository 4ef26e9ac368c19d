import { z } from 'zod';
import { isoDateTime, objectIdString } from '../http/validate';
import { PREMODERATION_MODES } from './site.model';
import { normalizeOrigin } from './origins';

export const MAX_WORD_LIST_ITEMS = 500;
export const MAX_WORD_LENGTH = 64;
export const MAX_ORIGINS = 50;

const wordList = z
  .array(z.string().trim().min(1, 'must not be empty').max(MAX_WORD_LENGTH, `at most ${MAX_WORD_LENGTH} characters`))
  .max(MAX_WORD_LIST_ITEMS, `at most ${MAX_WORD_LIST_ITEMS} words`)
  .overwrite((words) => [...new Set(words)]);

/** A site's moderation settings, every one present (as answers carry them). */
export const siteSettingsSchema = z
  .object({
    premoderation: z.enum(PREMODERATION_MODES),
    bannedWords: wordList,
    suspectWords: wordList,
    /** Phrases the word filter never flags (a local place or person whose name contains a listed word). */
    allowedPhrases: wordList,
    maxLinks: z.number().int().min(0).max(50),
    editWindowSeconds: z.number().int().min(0).max(86400),
    maxDepth: z.number().int().min(1).max(20),
    flagThreshold: z.number().int().min(1).max(1000),
    allowGuests: z.boolean(),
    requireVerifiedEmail: z.boolean().meta({ description: 'Posting needs a confirmed email address; guests cannot post.' }),
  })
  .meta({ id: 'SiteSettings' });

/** Every setting is optional: a PATCH changes only what it names. */
export const settingsPatchSchema = siteSettingsSchema.partial().strict().meta({ id: 'SiteSettingsPatch' });

const origin = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const normalized = normalizeOrigin(value);
    if (!normalized) {
      ctx.addIssue({ code: 'custom', message: 'must be an http(s) origin without a path, like https://news.example' });
      return z.NEVER;
    }
    return normalized;
  });

export const createSiteSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    origins: z
      .array(origin)
      .max(MAX_ORIGINS)
      .transform((origins) => [...new Set(origins)]),
    settings: settingsPatchSchema.optional(),
  })
  .strict();

export const siteIdParamsSchema = z.object({ siteId: objectIdString });
export const siteUserParamsSchema = siteIdParamsSchema.extend({ userId: objectIdString });

/* Answers. */

export const siteJsonSchema = z
  .object({
    id: objectIdString,
    name: z.string(),
    origins: z.array(z.string()),
    settings: siteSettingsSchema,
    wordListVersion: z.number().int().min(0),
    createdAt: isoDateTime.nullable(),
  })
  .meta({ id: 'Site' });
export type SiteJson = z.output<typeof siteJsonSchema>;

/** A page of a list keyed by id: `items`, and the cursor of the next page (null on the last). */
export function idPageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
