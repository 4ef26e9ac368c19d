import { z } from 'zod';
import { objectIdString } from '../http/validate';
import { ARTICLE_RULES } from './articleRule';
import { IMPORT_FORMATS } from './sourceComment';

export const importParamsSchema = z.object({ siteId: objectIdString }).strict();
export const importJobParamsSchema = z.object({ siteId: objectIdString, importId: z.string().regex(/^[a-f0-9]{24}$/, 'must be an import id') }).strict();

/**
 * `?format=wxr|disqus&articleKey=slug|path|map&mapping=ID&hold=true|false`: `mapping` (the id of a
 * mapping uploaded to `/sites/:siteId/import-mappings`) goes with `articleKey=map` and only with it.
 */
export const importQuerySchema = z
  .object({
    format: z.enum(IMPORT_FORMATS),
    articleKey: z.enum(ARTICLE_RULES).default('slug'),
    mapping: z.string().regex(/^[a-f0-9]{24}$/, 'must be a mapping id').optional(),
    hold: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.articleKey === 'map' && !query.mapping) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'articleKey=map needs the id of an uploaded mapping' });
    if (query.articleKey !== 'map' && query.mapping) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'a mapping goes with articleKey=map only' });
  });

/** The answer to a mapping upload. */
export const importMappingSchema = z.object({ id: z.string(), entries: z.number().int() });
