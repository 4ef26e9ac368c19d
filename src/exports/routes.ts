import type { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../accounts/authenticate';
import { objectIdString, parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import { getSite } from '../sites/service';
import { EXPORT_FORMATS, exportComments } from './service';

const paramsSchema = z.object({ siteId: objectIdString }).strict();
const querySchema = z
  .object({
    format: z.enum(EXPORT_FORMATS),
    includeEmails: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  })
  .strict();

/** GET /sites/:siteId/export?format=jsonl|wxr (admin): the site's comments, streamed as a download. */
export function exportRoutes(): Router {
  const api = documentedRouter();
  api.get(
    '/sites/:siteId/export',
    { operationId: 'exportComments', summary: 'Admins only: every comment of the site, streamed as JSON lines or WXR.', tags: ['administration'], signedIn: 'required', params: paramsSchema, query: querySchema, problems: [403], responses: { 200: { description: 'The export, as a download.', alternatives: { 'application/x-ndjson': z.string(), 'application/rss+xml': z.string() } } } },
    requireRole('admin'), async (req, res) => {
    const { siteId } = parseInput(paramsSchema, req.params, 'params');
    const { format, includeEmails } = parseInput(querySchema, req.query, 'query');
    await getSite(siteId);
    res.status(200);
    res.setHeader('Content-Type', format === 'wxr' ? 'application/rss+xml; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="threadline-${siteId}.${format === 'wxr' ? 'xml' : 'jsonl'}"`);
    res.setHeader('Cache-Control', 'no-store');
    try {
      await exportComments(
        siteId,
        format,
        async (chunk) => {
          if (res.destroyed) throw new Error('the client went away');
          if (res.write(chunk)) return;
          await new Promise<void>((resolve) => {
            const go = (): void => {
              res.off('drain', go);
              res.off('close', go);
              resolve();
            };
            res.on('drain', go);
            res.on('close', go);
          });
        },
        { includeEmails },
      );
      res.end();
    } catch (err) {
      // Headers are gone once the first chunk is out; a broken export ends the connection instead.
      if (!res.headersSent) throw err;
      req.log.warn({ err, siteId }, 'export stopped');
      res.destroy();
    }
  });
  return api.router;
}
