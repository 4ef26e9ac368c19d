import type { RequestHandler } from 'express';
import { HttpProblem } from './problem';

/** A request that carries a body must say it is JSON; anything else is a 415, not a silent empty body. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(
      new HttpProblem(415, 'Unsupported Media Type', 'Send the request body as application/json.', {
        slug: 'unsupported-media-type',
      }),
    );
    return;
  }
  next();
};
