import { z } from 'zod';
import type { Router } from 'express';
import { declaredOperations, documentedRouter } from './declare';
import { buildOpenApiDocument } from './document';

/**
 * Serves the OpenAPI document; mounted on the top-level app so that the API's body rules do not apply.
 * Built on first request from every operation the app's routes declared, and again if more were declared.
 */
export function openApiRoutes(): Router {
  const api = documentedRouter('');
  let built: { count: number; body: string } | null = null;
  api.get(
    '/api/v1/openapi.json',
    {
      operationId: 'openApiDocument',
      summary: 'This document.',
      tags: ['meta'],
      responses: { 200: { description: 'The OpenAPI document.', schema: z.looseObject({}) } },
    },
    (_req, res) => {
      const count = declaredOperations().length;
      if (built?.count !== count) built = { count, body: JSON.stringify(buildOpenApiDocument()) };
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.type('application/json').send(built.body);
    },
  );
  return api.router;
}
