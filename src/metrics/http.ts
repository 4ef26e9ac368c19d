import type { Request, RequestHandler } from 'express';
import { httpDuration, httpRequests } from './registry';

/**
 * The route pattern a request matched (`/api/v1/comments/:commentId`), never the raw path, so that
 * ids do not explode the label set. Requests that matched no route share one label.
 */
function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (!route || typeof route.path !== 'string') return 'unmatched';
  // After an error left a mounted router, req.baseUrl is reset; the mount prefix is then the leading
  // segments of the requested path that the route pattern does not cover.
  const pattern = route.path.split('/').filter(Boolean);
  const requested = (req.originalUrl.split('?')[0] ?? '').split('/').filter(Boolean);
  const prefix = requested.slice(0, Math.max(0, requested.length - pattern.length));
  return `/${[...prefix, ...pattern].join('/')}`;
}

/** Counts and times every request once its response has been sent (or the client went away). */
export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const stop = httpDuration.startTimer();
    let done = false;
    const record = (): void => {
      if (done) return;
      done = true;
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      stop(labels);
      httpRequests.inc(labels);
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };
}
