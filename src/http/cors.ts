import type { NextFunction, Request, RequestHandler, Response } from 'express';

const ALLOWED_HEADERS = 'Authorization, Content-Type';
const EXPOSED_HEADERS = 'X-Request-Id, Retry-After';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/**
 * CORS where the caller decides which origins are granted. Sessions are bearer tokens, never cookies,
 * so credentials are never allowed. A preflight is answered here, granted or not.
 */
export function originCors(options: {
  methods: string;
  isAllowed(origin: string, req: Request): Promise<boolean>;
}): RequestHandler {
  const answer = (req: Request, res: Response, next: NextFunction, origin: string | undefined, allowed: boolean): void => {
    if (allowed && origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Methods', options.methods);
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
      }
      res.status(204).end();
      return;
    }
    next();
  };
  return (req, res, next) => {
    addVary(res, 'Origin');
    const origin = req.headers.origin;
    // Without an Origin there is nothing to look up: answered without waiting on a promise.
    if (typeof origin !== 'string') {
      answer(req, res, next, undefined, false);
      return;
    }
    return options
      .isAllowed(origin, req)
      .catch(() => false)
      .then((allowed) => answer(req, res, next, origin, allowed));
  };
}

const ONE_FIELD = /^[A-Za-z0-9-]+$/;

/**
 * `res.vary(field)` without parsing the header in the common cases: no Vary yet, or exactly one other
 * field (the result is the same header `vary` would write); anything else goes through `res.vary`.
 */
export function addVary(res: Response, field: string): void {
  const current = res.getHeader('Vary');
  if (current === undefined) {
    res.setHeader('Vary', field);
    return;
  }
  if (typeof current === 'string' && ONE_FIELD.test(current) && current.toLowerCase() !== field.toLowerCase()) {
    res.setHeader('Vary', `${current}, ${field}`);
    return;
  }
  res.vary(field);
}
