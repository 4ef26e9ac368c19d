import type { ErrorRequestHandler, RequestHandler } from 'express';
import mongoose from 'mongoose';
import { z } from 'zod';

/** The body of every error answer: an RFC 9457 problem. */
export const problemJsonSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem.' });

export interface FieldError {
  path: string;
  message: string;
}

/** An error that becomes an RFC 9457 `application/problem+json` response. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly options: { slug?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }

  get type(): string {
    return this.options.slug ? `urn:threadline:problem:${this.options.slug}` : 'about:blank';
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.options.errors ? { errors: this.options.errors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors?: FieldError[]): HttpProblem =>
  new HttpProblem(400, 'Bad Request', detail, { slug: 'bad-request', errors });
export const unauthorized = (detail = 'Sign in to do this.'): HttpProblem =>
  new HttpProblem(401, 'Unauthorized', detail, { slug: 'unauthorized', headers: { 'WWW-Authenticate': 'Bearer' } });
export const forbidden = (detail = 'You are not allowed to do this.'): HttpProblem =>
  new HttpProblem(403, 'Forbidden', detail, { slug: 'forbidden' });
export const notFound = (detail = 'Not found.'): HttpProblem =>
  new HttpProblem(404, 'Not Found', detail, { slug: 'not-found' });
export const conflict = (detail: string): HttpProblem => new HttpProblem(409, 'Conflict', detail, { slug: 'conflict' });
export const gone = (detail: string): HttpProblem => new HttpProblem(410, 'Gone', detail, { slug: 'gone' });
export const unprocessable = (detail: string, slug = 'unprocessable', errors?: FieldError[]): HttpProblem =>
  new HttpProblem(422, 'Unprocessable Content', detail, { slug, errors });
export const tooManyRequests = (detail: string, retryAfterSeconds: number): HttpProblem =>
  new HttpProblem(429, 'Too Many Requests', detail, {
    slug: 'rate-limited',
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
export const serviceUnavailable = (detail = 'The database is not reachable; try again shortly.'): HttpProblem =>
  new HttpProblem(503, 'Service Unavailable', detail, { slug: 'unavailable', headers: { 'Retry-After': '5' } });

export function sendProblem(res: Parameters<RequestHandler>[1], problem: HttpProblem): void {
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) res.setHeader(name, value);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.toJSON()));
}

const SOCKET_FAILURE_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ERR_SOCKET_CLOSED']);

/** True for errors that mean "the database is unreachable or too slow", which clients see as 503. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const name = err.name;
  return (
    name === 'MongooseServerSelectionError' ||
    name === 'MongoServerSelectionError' ||
    name === 'MongoNetworkError' ||
    name === 'MongoNetworkTimeoutError' ||
    name === 'MongoNotConnectedError' ||
    name === 'MongoTopologyClosedError' ||
    name === 'MongoPoolClearedError' ||
    name === 'PoolClearedOnNetworkError' ||
    name === 'MongoServerClosedError' ||
    name === 'DatabaseTimeoutError' ||
    (err instanceof mongoose.Error && /buffering timed out|before initial connection/i.test(err.message)) ||
    // A write whose connection broke mid-way reports the network error as its message or cause (on a
    // unix socket, a server that is down has no socket file: connect ENOENT).
    (name === 'MongoBulkWriteError' && /ECONNRESET|ECONNREFUSED|connect ENOENT|EPIPE|closed|timed out|timeout|interrupted/i.test(err.message)) ||
    // A socket the database closed under a write in flight surfaces as a bare socket error.
    SOCKET_FAILURE_CODES.has((err as NodeJS.ErrnoException).code ?? '') ||
    isDatabaseUnavailable(err.cause)
  );
}

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/** Turns any thrown value into a problem; unknown errors become a bare 500 with no internals. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const parserError = err as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return badRequest('The request body is not valid JSON.');
    case 'entity.too.large':
      return new HttpProblem(413, 'Content Too Large', `The request body exceeds ${parserError.limit ?? 'the'} bytes.`, {
        slug: 'too-large',
      });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'Unsupported Media Type', 'The request body encoding is not supported.', {
        slug: 'unsupported-media-type',
      });
    case 'request.aborted':
      return badRequest('The request was aborted.');
    default:
      break;
  }
  if (isDatabaseUnavailable(err)) return serviceUnavailable();
  if (err instanceof mongoose.Error.CastError) return notFound();
  return new HttpProblem(500, 'Internal Server Error', 'Something went wrong on our side; it has been logged.', {
    slug: 'internal',
  });
}

export const problemHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const problem = toProblem(err);
  if (problem.status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ status: problem.status, problem: problem.type }, problem.detail);
  sendProblem(res, problem);
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`No route for ${req.method} ${req.path}.`));
};
