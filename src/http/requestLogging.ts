import { randomUUID } from 'node:crypto';
import { IncomingMessage, type ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from '../logging/logger';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

declare module 'http' {
  interface IncomingMessage {
    /** The request id, sent back as X-Request-Id and bound to every line logged for the request. */
    id: string;
    /** The request's logger: the service's, with `reqId` bound. */
    log: Logger;
  }
}

const BASE = Symbol('requestLogger.base');
const CHILD = Symbol('requestLogger.child');
type LoggedRequest = IncomingMessage & { [BASE]?: Logger; [CHILD]?: Logger };

// `req.log` is made on first use: most requests (a cached page) never log anything but their one line.
Object.defineProperty(IncomingMessage.prototype, 'log', {
  configurable: true,
  get(this: LoggedRequest): Logger | undefined {
    const base = this[BASE];
    if (!base) return this[CHILD];
    this[CHILD] ??= base.child({ reqId: this.id });
    return this[CHILD];
  },
  set(this: LoggedRequest, logger: Logger) {
    this[CHILD] = logger;
  },
});

/**
 * One JSON line per request (`request completed`, or `request errored` at level error for a 5xx or a
 * failed response), each with a request id; query strings are dropped because they can carry codes.
 * The line's fields are built only when its level is enabled.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const logged = req as LoggedRequest;
    logged.id = id;
    logged[BASE] = logger;
    const started = Date.now();
    const url = req.url;
    const complete = (err?: unknown): void => {
      res.removeListener('close', complete);
      res.removeListener('finish', complete);
      res.removeListener('error', complete);
      logCompletion(logger, req, res, url, started, err);
    };
    res.on('close', complete);
    res.on('finish', complete);
    res.on('error', complete);
    next();
  };
}

function logCompletion(
  logger: Logger,
  req: IncomingMessage,
  res: ServerResponse,
  url: string | undefined,
  started: number,
  err: unknown,
): void {
  const failed = err !== undefined || res.statusCode >= 500;
  const level = failed ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const fields = {
    req: { id: req.id, method: req.method, path: (url ?? '').split('?')[0] },
    res: { status: res.statusCode },
    responseTime: Date.now() - started,
  };
  if (failed) {
    req.log.error({ ...fields, err: err ?? new Error(`failed with status code ${res.statusCode}`) }, 'request errored');
    return;
  }
  req.log.info(fields, 'request completed');
}
