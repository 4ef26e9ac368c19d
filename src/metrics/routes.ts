import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { notFound, unauthorized } from '../http/problem';
import { registry } from './registry';
import './queueDepth';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` for Prometheus. Without METRICS_TOKEN the endpoint does not exist (404); with it,
 * only `Authorization: Bearer <METRICS_TOKEN>` is answered (compared in constant time), others get 401.
 */
export function metricsRoutes(token: string | undefined): Router {
  const router = Router();
  const expected = token ? digest(token) : null;
  router.get('/metrics', async (req, res) => {
    if (!expected) throw notFound('Metrics are not enabled on this instance.');
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), expected)) throw unauthorized('Metrics need the metrics token.');
    const body = await registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(body);
  });
  return router;
}
