import { createHash, timingSafeEqual } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { notFound, unauthorized } from '../http/problem';
import { documentedRouter, type OperationSpec } from '../openapi/declare';
import { registry } from './registry';
import './queueDepth';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * `GET /metrics` for Prometheus. Without METRICS_TOKEN the endpoint does not exist (404); with it,
 * only `Authorization: Bearer <METRICS_TOKEN>` is answered (compared in constant time), others get 401.
 */
export function metricsRoutes(token: string | undefined): Router {
  const api = documentedRouter('');
  const expected = token ? digest(token) : null;
  const spec = {
    operationId: 'metrics',
    summary: 'Prometheus metrics, for a caller with `Authorization: Bearer $METRICS_TOKEN`; 404 where METRICS_TOKEN is unset.',
    tags: ['meta'],
    problems: [401, 404],
    responses: { 200: { description: 'The Prometheus text format.', contentType: 'text/plain', schema: z.string() } },
  } satisfies OperationSpec;
  api.get('/metrics', spec, async (req, res) => {
    if (!expected) throw notFound('Metrics are not enabled on this instance.');
    const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), expected)) throw unauthorized('Metrics need the metrics token.');
    const body = await registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(body);
  });
  return api.router;
}
