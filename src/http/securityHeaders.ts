import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

type HeaderChange = readonly [name: string, value: string | null];

/**
 * What helmet does to a response, found by running helmet once on a recording response. None of the
 * options here depend on the request (no CSP nonces), so every response gets the same changes.
 */
function recordHelmet(options: HelmetOptions): HeaderChange[] {
  const changes: HeaderChange[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      changes.push([name, Array.isArray(value) ? value.join(', ') : String(value)]);
      return recorder;
    },
    removeHeader(name: string) {
      changes.push([name, null]);
    },
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously; its headers cannot be precomputed');
  return changes;
}

/**
 * helmet's security headers (the same set and values helmet itself would set), computed once at start
 * and applied per response as a plain list instead of a dozen nested middleware calls.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const changes = recordHelmet(options);
  const removed = changes.filter(([, value]) => value === null).map(([name]) => name);
  const set = changes.filter((change): change is readonly [string, string] => change[1] !== null);
  return (_req, res, next) => {
    for (const name of removed) res.removeHeader(name);
    for (const [name, value] of set) res.setHeader(name, value);
    next();
  };
}
