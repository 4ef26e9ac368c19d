import express, { type RequestHandler } from 'express';
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

/**
 * express.json() with its size limit; a request without a body (every read) passes without entering the
 * parser, which would only leave `req.body` undefined.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit, strict: true });
  return (req, res, next) => {
    // The parser's own test (type-is hasBody): any Transfer-Encoding, or a Content-Length that is a number.
    if (req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']))) {
      parse(req, res, next);
      return;
    }
    next();
  };
}
