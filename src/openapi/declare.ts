import { Router, type RequestHandler } from 'express';
import type { z } from 'zod';
import { tracked } from '../http/inFlight';

/**
 * Declaring an endpoint: one call next to its handler gives the route to Express and its shapes to the
 * OpenAPI document (src/openapi/document.ts builds the document from every declared operation).
 *
 *   const api = documentedRouter();
 *   api.post('/sites/:siteId/things', {
 *     operationId: 'createThing', summary: 'Creates a thing.', tags: ['things'], signedIn: 'required',
 *     params: siteParams, body: createThingSchema, problems: [403],
 *     responses: { 201: { description: 'The thing.', schema: thingJsonSchema } },
 *   }, requireUser, async (req, res) => { ... });
 *   return api.router;
 *
 * The same zod schemas parse the request (parseInput) and describe it; response schemas are what the
 * handler's answers must match, which the tests check on every answer (tests/support/contract.ts).
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type SignedIn = 'required' | 'optional' | 'none';

/** Problem codes an operation may answer, besides those every /api/v1 call may (see document.ts). */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 431 | 502 | 503;

export interface ResponseSpec {
  description: string;
  /** The JSON body; leave out for an answer without a body. */
  schema?: z.ZodType;
  /** Defaults to application/json when `schema` is given. */
  contentType?: string;
  /** Further media types the answer may take, each with its schema (an event stream, a download). */
  alternatives?: Record<string, z.ZodType>;
  /** Headers the answer carries. */
  headers?: Record<string, { description: string; schema: z.ZodType }>;
}

export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Whether a bearer token is needed, accepted, or ignored (default 'none'). */
  signedIn?: SignedIn;
  /** The path parameters, one property per `:name` in the path. */
  params?: z.ZodObject;
  /** The query string, as the handler parses it. */
  query?: z.ZodObject;
  /** The JSON request body, as the handler parses it. */
  body?: z.ZodType;
  /** Whether the body may be left out (default: required when `body` is given). */
  bodyOptional?: boolean;
  /** A body that is not JSON (an uploaded file): its media types and schema. */
  rawBody?: { contentTypes: string[]; schema: z.ZodType };
  responses: Partial<Record<number, ResponseSpec>>;
  /** Problem statuses this operation answers beyond the common ones. */
  problems?: ProblemStatus[];
}

export interface DeclaredOperation extends OperationSpec {
  method: HttpMethod;
  /** The document's form of the path: `/api/v1/sites/{siteId}`. */
  path: string;
  /** Behind the API's shared middleware, so it may answer the problems every API call may. */
  api: boolean;
}

const declared = new Map<string, DeclaredOperation>();

/** Express `:name` segments in the document's `{name}` form. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/** Records an operation for the document. Declaring the same one again (another app instance) is a no-op. */
export function declareOperation(operation: DeclaredOperation): void {
  const existing = declared.get(operation.operationId);
  if (existing && (existing.method !== operation.method || existing.path !== operation.path)) {
    throw new Error(
      `operationId ${operation.operationId} is declared for both ${existing.method} ${existing.path} and ${operation.method} ${operation.path}`,
    );
  }
  declared.set(operation.operationId, operation);
}

/** Every operation declared so far, in declaration order. */
export function declaredOperations(): DeclaredOperation[] {
  return [...declared.values()];
}

type Declare = (path: string, spec: OperationSpec, ...handlers: RequestHandler[]) => void;

export interface DocumentedRouter {
  router: Router;
  get: Declare;
  post: Declare;
  put: Declare;
  patch: Declare;
  delete: Declare;
}

/**
 * A Router whose routes are declared together with their OpenAPI operation. `prefix` is where the
 * router is mounted (`/api/v1` for the API, '' for the top-level app).
 */
export function documentedRouter(prefix = '/api/v1', router: Router = Router()): DocumentedRouter {
  const declare =
    (method: HttpMethod): Declare =>
    (path, spec, ...handlers) => {
      declareOperation({ ...spec, method, path: openApiPath(`${prefix}${path}`), api: prefix === '/api/v1' });
      // Counted while they run, so that shutdown lets a handler finish even after its client hung up.
      router[method](path, ...handlers.map(tracked));
    };
  return {
    router,
    get: declare('get'),
    post: declare('post'),
    put: declare('put'),
    patch: declare('patch'),
    delete: declare('delete'),
  };
}
