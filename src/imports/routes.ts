import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import express, { type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { Types } from 'mongoose';
import { authenticate, currentUser, requireRole } from '../accounts/authenticate';
import type { AppContext } from '../context';
import { badRequest, HttpProblem, notFound } from '../http/problem';
import { parseInput } from '../http/validate';
import { documentedRouter } from '../openapi/declare';
import { getSite } from '../sites/service';
import { MappingError } from './articleRule';
import { mappingBelongsTo, storeMapping } from './mapping';
import {
  importFileSchema,
  importJobJsonSchema,
  importJobParamsSchema,
  importMappingFileSchema,
  importMappingJsonSchema,
  importParamsSchema,
  importQuerySchema,
  importStartedSchema,
} from './schemas';
import { createImportJob, findImportJob, runImport, toImportJson } from './service';

const UPLOAD_TYPES = ['application/xml', 'text/xml', 'application/octet-stream', 'application/rss+xml'];
const MAPPING_TYPES = ['text/csv', 'text/plain', 'text/tab-separated-values'];
/** A mapping of 100,000 permalinks fits. */
const MAPPING_MAX_BYTES = 8 * 2 ** 20;

/** Where uploads wait for their job; the job deletes its file when it ends. */
export function uploadDir(dataDir: string): string {
  return path.resolve(dataDir, 'imports');
}

function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new HttpProblem(413, 'Content Too Large', `The export may be at most ${limit} bytes.`, { slug: 'too-large' }));
      else callback(null, chunk);
    },
  });
}

/**
 * POST /sites/:siteId/imports: the body is the export file itself, streamed to disk (never held in
 * memory), then imported as a background job. Mounted before the API's JSON body handling.
 */
export function importUploadRoutes(context: AppContext): Router {
  const api = documentedRouter();
  const { config, logger } = context;
  const upload: RequestHandler = async (req, res) => {
    const { siteId } = parseInput(importParamsSchema, req.params, 'params');
    const query = parseInput(importQuerySchema, req.query, 'query');
    await getSite(siteId);
    if (query.mapping && !(await mappingBelongsTo(query.mapping, siteId))) {
      throw badRequest('The request query is invalid.', [{ path: 'mapping', message: 'no mapping with this id on this site' }]);
    }
    const type = (req.headers['content-type'] ?? 'application/octet-stream').split(';')[0].trim().toLowerCase();
    if (!UPLOAD_TYPES.includes(type)) {
      throw new HttpProblem(415, 'Unsupported Media Type', `Send the export as ${UPLOAD_TYPES.join(', ')}.`, { slug: 'unsupported-media-type' });
    }
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > config.IMPORT_MAX_BYTES) {
      throw new HttpProblem(413, 'Content Too Large', `The export may be at most ${config.IMPORT_MAX_BYTES} bytes.`, { slug: 'too-large' });
    }
    const id = new Types.ObjectId().toHexString();
    const dir = uploadDir(config.DATA_DIR);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${id}.xml`);
    let bytes = 0;
    try {
      await pipeline(
        req,
        byteLimit(config.IMPORT_MAX_BYTES),
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            bytes += chunk.length;
            callback(null, chunk);
          },
        }),
        createWriteStream(file, { mode: 0o600 }),
      );
    } catch (err) {
      await rm(file, { force: true });
      throw err instanceof HttpProblem ? err : badRequest('The upload did not arrive whole.');
    }
    if (bytes === 0) {
      await rm(file, { force: true });
      throw badRequest('Send the export file as the request body.');
    }
    const job = await createImportJob({
      id,
      siteId,
      format: query.format,
      articleRule: query.articleKey,
      mappingId: query.mapping ?? null,
      hold: query.hold,
      file,
      ownsFile: true,
      bytes,
      createdBy: currentUser(req).id,
    });
    runImport(job._id, { logger }).catch((err: unknown) => logger.error({ err, importId: job._id }, 'import run stopped'));
    res.status(202).location(`/api/v1/sites/${siteId}/imports/${job._id}`).json({ id: job._id });
  };
  api.post(
    '/sites/:siteId/imports',
    {
      operationId: 'startImport',
      summary: 'Admins only: imports a WordPress (WXR) or Disqus export, sent as the request body, as a background job.',
      description:
        'The body is the export file itself (streamed to disk, up to IMPORT_MAX_BYTES). Articles are matched by the ' +
        'post slug, the permalink path, or a mapping uploaded first to /api/v1/sites/{siteId}/import-mappings ' +
        "(`articleKey=map&mapping=ID`); `hold=true` runs each approved comment through the site's content rules. " +
        'The whole file is checked before anything is published: a malformed file fails with its line and reason.',
      tags: ['administration'],
      signedIn: 'required',
      params: importParamsSchema,
      query: importQuerySchema,
      rawBody: { contentTypes: UPLOAD_TYPES, schema: importFileSchema },
      problems: [403],
      responses: {
        202: {
          description: 'The job was started; poll its Location.',
          schema: importStartedSchema,
          headers: { Location: { description: 'The job: /api/v1/sites/{siteId}/imports/{importId}.', schema: z.string() } },
        },
      },
    },
    authenticate(config.JWT_SECRET),
    requireRole('admin'),
    upload,
  );

  // POST /sites/:siteId/import-mappings: a mapping file for `articleKey=map`, checked whole.
  const mappingBody = express.text({ type: () => true, limit: MAPPING_MAX_BYTES, defaultCharset: 'utf-8' });
  api.post(
    '/sites/:siteId/import-mappings',
    {
      operationId: 'uploadImportMapping',
      summary: 'Admins only: uploads a mapping file for imports with articleKey=map, checked whole before it is kept.',
      description:
        'One `source,articleId` pair a line (comma or tab), where source is a permalink, a path, a slug or the ' +
        "source's page id; blank lines and lines starting with `#` are skipped; at most 100,000 pairs and 8 MB. A bad " +
        'line is a 400 naming it (`mapping line 3: ...`).',
      tags: ['administration'],
      signedIn: 'required',
      params: importParamsSchema,
      rawBody: { contentTypes: MAPPING_TYPES, schema: importMappingFileSchema },
      problems: [403, 413, 415],
      responses: { 201: { description: 'The mapping was kept; name its id in the import.', schema: importMappingJsonSchema } },
    },
    authenticate(config.JWT_SECRET),
    requireRole('admin'),
    async (req, res) => {
      const { siteId } = parseInput(importParamsSchema, req.params, 'params');
      await getSite(siteId);
      const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!MAPPING_TYPES.includes(type)) {
        throw new HttpProblem(415, 'Unsupported Media Type', `Send the mapping as ${MAPPING_TYPES.join(', ')}.`, { slug: 'unsupported-media-type' });
      }
      await new Promise<void>((resolve, reject) => mappingBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      const text: unknown = req.body;
      if (typeof text !== 'string' || text.length === 0) throw badRequest('Send the mapping as the request body.');
      try {
        res.status(201).json(await storeMapping(siteId, text, currentUser(req).id));
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        throw badRequest(`The mapping is invalid: ${err.message}.`, [{ path: 'body', message: err.message }]);
      }
    },
  );
  return api.router;
}

/** GET /sites/:siteId/imports/:importId: the job's status and progress (admin). */
export function importRoutes(): Router {
  const api = documentedRouter();
  api.get(
    '/sites/:siteId/imports/:importId',
    { operationId: 'importStatus', summary: "Admins only: an import job's status and progress.", tags: ['administration'], signedIn: 'required', params: importJobParamsSchema, problems: [403], responses: { 200: { description: 'The job.', schema: importJobJsonSchema } } },
    requireRole('admin'), async (req, res) => {
    const { siteId, importId } = parseInput(importJobParamsSchema, req.params, 'params');
    const job = await findImportJob(importId);
    if (!job || String(job.siteId) !== siteId) throw notFound('No import with this id on this site.');
    res.setHeader('Cache-Control', 'no-store');
    res.json(toImportJson(job));
  });
  return api.router;
}
