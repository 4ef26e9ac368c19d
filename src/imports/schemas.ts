import { z } from 'zod';
import { objectIdString } from '../http/validate';
import { IMPORT_FORMATS } from './sourceComment';

export const importParamsSchema = z.object({ siteId: objectIdString }).strict();
export const importJobParamsSchema = z.object({ siteId: objectIdString, importId: z.string().regex(/^[a-f0-9]{24}$/, 'must be an import id') }).strict();

/** `?format=wxr|disqus&articleKey=slug|path&hold=true|false` (the map rule is for the command line). */
export const importQuerySchema = z
  .object({
    format: z.enum(IMPORT_FORMATS),
    articleKey: z.enum(['slug', 'path']).default('slug'),
    hold: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  })
  .strict();
