import { z } from 'zod';
import { isoDateTime, objectIdString } from '../http/validate';
import { ARTICLE_RULES, MAX_MAPPING_ENTRIES } from './articleRule';
import { IMPORT_PHASES, IMPORT_STATUSES } from './importJob.model';
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
    mapping: z
      .string()
      .regex(/^[a-f0-9]{24}$/, 'must be a mapping id')
      .optional()
      .meta({ description: 'With articleKey=map only: the id of a mapping uploaded to this site.' }),
    hold: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  })
  .strict()
  .superRefine((query, ctx) => {
    if (query.articleKey === 'map' && !query.mapping) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'articleKey=map needs the id of an uploaded mapping' });
    if (query.articleKey !== 'map' && query.mapping) ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'a mapping goes with articleKey=map only' });
  });

/** The export file itself, as the upload's body. */
export const importFileSchema = z.string().min(1);

/** A mapping file: one `source,articleId` pair a line (comma or tab); `#` lines and blank lines skipped. */
export const importMappingFileSchema = z.string().min(1);

/* Answers. */

export const importStartedSchema = z.object({ id: objectIdString });

export const importMappingJsonSchema = z.object({
  id: objectIdString,
  entries: z.number().int().min(1).max(MAX_MAPPING_ENTRIES).meta({ description: 'Pairs in the mapping.' }),
});

export const importJobJsonSchema = z
  .object({
    id: objectIdString,
    status: z.enum(IMPORT_STATUSES),
    processed: z.number().int().min(0).meta({ description: 'Comments published so far.' }),
    total: z.number().int().min(0).optional().meta({ description: 'Comments in the file; known once the file has been checked whole.' }),
    error: z.string().optional().meta({ description: '`line N: reason` for a malformed file.' }),
    format: z.enum(IMPORT_FORMATS),
    articleKey: z.string(),
    hold: z.boolean(),
    phase: z.enum(IMPORT_PHASES).meta({ description: '`checking` reads the whole file and writes nothing; then `publishing`.' }),
    read: z.number().int().min(0),
    inserted: z.number().int().min(0).meta({ description: 'Comments that were not there before.' }),
    skipped: z.number().int().min(0).meta({ description: 'Comments whose page the article rule could not match.' }),
    bytes: z.number().int().min(0).nullable(),
    bytesRead: z.number().int().min(0),
    createdAt: isoDateTime,
    finishedAt: isoDateTime.nullable(),
  })
  .meta({ id: 'ImportJob' });
