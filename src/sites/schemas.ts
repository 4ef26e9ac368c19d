import { z } from 'zod';
import { PREMODERATION_MODES } from './site.model';
import { normalizeOrigin } from './origins';

export const MAX_WORD_LIST_ITEMS = 500;
export const MAX_WORD_LENGTH = 64;
export const MAX_ORIGINS = 50;

const wordList = z
  .array(z.string().trim().min(1, 'must not be empty').max(MAX_WORD_LENGTH, `at most ${MAX_WORD_LENGTH} characters`))
  .max(MAX_WORD_LIST_ITEMS, `at most ${MAX_WORD_LIST_ITEMS} words`)
  .transform((words) => [...new Set(words)]);

/** Every setting is optional: a PATCH changes only what it names. */
export const settingsPatchSchema = z
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
    requireVerifiedEmail: z.boolean(),
  })
  .partial()
  .strict();

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

export const siteIdParamsSchema = z.object({ siteId: z.string() });
