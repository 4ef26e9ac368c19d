import type { RequestHandler } from 'express';
import { badRequest } from './problem';

const MAX_DEPTH = 20;

function findOperatorKey(value: unknown, path: string, depth: number): string | null {
  if (depth > MAX_DEPTH) return path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findOperatorKey(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (key.startsWith('$') || key.includes('.') || key === '__proto__' || key === 'constructor') return here;
      const found = findOperatorKey(inner, here, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Refuses bodies and query strings whose keys look like MongoDB operators or dotted paths, so that no
 * request value can ever reach a query as an operator, whatever a handler does later.
 */
export const rejectOperatorKeys: RequestHandler = (req, _res, next) => {
  const inBody = findOperatorKey(req.body, 'body', 0);
  const inQuery = findOperatorKey(req.query, 'query', 0);
  const offending = inBody ?? inQuery;
  if (offending) {
    next(badRequest('Keys starting with "$" or containing "." are not accepted.', [
      { path: offending, message: 'operator or dotted key refused' },
    ]));
    return;
  }
  next();
};
