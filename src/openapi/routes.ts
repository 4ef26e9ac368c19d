import { Router } from 'express';
import { openApiDocument } from './openapi';

/** Serves the OpenAPI document; mounted on the top-level app so that the API's body rules do not apply. */
export function openApiRoutes(): Router {
  const router = Router();
  const body = JSON.stringify(openApiDocument);
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(body);
  });
  return router;
}
