import type { Router } from 'express';
import { z } from 'zod';
import { pingDatabase } from '../db/connection';
import { sendProblem, serviceUnavailable } from '../http/problem';
import { documentedRouter } from '../openapi/declare';

export function healthRoutes(timeoutMs: number): Router {
  const api = documentedRouter('');
  api.get(
    '/healthz',
    {
      operationId: 'health',
      summary: 'Liveness: 200 while the process lives.',
      tags: ['health'],
      responses: { 200: { description: 'Alive.', schema: z.object({ status: z.literal('ok') }) } },
    },
    (_req, res) => {
      res.json({ status: 'ok' });
    },
  );
  api.get(
    '/readyz',
    {
      operationId: 'readiness',
      summary: 'Readiness: 200 when the database answers.',
      tags: ['health'],
      problems: [503],
      responses: { 200: { description: 'Ready.', schema: z.object({ status: z.literal('ready') }) } },
    },
    async (req, res) => {
      try {
        await pingDatabase(timeoutMs);
        res.json({ status: 'ready' });
      } catch (err) {
        req.log.warn({ reason: (err as Error).message }, 'not ready: database did not answer');
        sendProblem(res, serviceUnavailable('The database did not answer the readiness check.'));
      }
    },
  );
  return api.router;
}
