import { Router } from 'express';
import { pingDatabase } from '../db/connection';
import { sendProblem, serviceUnavailable } from '../http/problem';

export function healthRoutes(timeoutMs: number): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (req, res) => {
    try {
      await pingDatabase(timeoutMs);
      res.json({ status: 'ready' });
    } catch (err) {
      req.log.warn({ reason: (err as Error).message }, 'not ready: database did not answer');
      sendProblem(res, serviceUnavailable('The database did not answer the readiness check.'));
    }
  });
  return router;
}
