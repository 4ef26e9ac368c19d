import { z } from 'zod';
import { problemJsonSchema } from '../http/problem';
import { declaredOperations, type DeclaredOperation, type ProblemStatus } from './declare';
import type {
  OpenApiDocument,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
  SecurityRequirement,
} from './types';

/*
 * The OpenAPI 3.1 document, generated from the operations the feature routes declare
 * (src/openapi/declare.ts) and their zod schemas: request shapes as the handlers parse them (input side),
 * answers as the handlers produce them (output side). Schemas named with `.meta({ id })` become
 * components; nothing here repeats a field.
 */

const PROBLEM_DESCRIPTIONS: Record<ProblemStatus, string> = {
  400: 'The request is malformed or a field is invalid (see `errors`).',
  401: 'Sign-in is needed, or the session token is not valid.',
  403: 'Signed in, but not allowed to do this.',
  404: 'No such resource (or not visible to this caller).',
  409: 'Conflicts with the current state (for example the same text posted twice within a minute).',
  410: 'The resource or one-time link is no longer available.',
  413: 'The request body is too large.',
  415: 'The request body is not application/json.',
  422: 'Well-formed, but refused by a rule.',
  429: 'Too many requests; wait for Retry-After seconds.',
  431: 'The request line and headers are larger than the server reads (16 KB); answered by the HTTP server itself, with no body.',
  502: 'An upstream sign-in provider failed.',
  503: 'The database (or a configured provider) is unavailable; retry shortly.',
};

/**
 * Codes that any /api/v1 call may answer, whatever the operation: a bearer header is checked on every
 * call, so a revoked or malformed one is a 401 even where signing in is not needed.
 */
const COMMON_API_PROBLEMS: ProblemStatus[] = [400, 401, 404, 413, 415, 429, 431, 503];

const TAG_DESCRIPTIONS: Record<string, string> = {
  sites: 'Tenants; admin role.',
  moderation: 'Moderator or admin role.',
  administration: 'Imports, exports and webhooks; admin role.',
};

type JsonObject = { [key: string]: unknown };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Points zod's local `#/$defs/X` references at the document's components. */
function retarget(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(retarget);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof item === 'string' ? item.replace('#/$defs/', '#/components/schemas/') : retarget(item);
  }
  return out;
}

/** Converts zod schemas to JSON Schema 2020-12, gathering named ones (`.meta({ id })`) as components. */
class SchemaCollector {
  readonly components: Record<string, SchemaObject> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): SchemaObject {
    const json = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any', cycles: 'ref' }) as JsonObject;
    const { $schema: _dialect, $defs, ...rest } = json;
    for (const [name, def] of Object.entries(isObject($defs) ? $defs : {})) {
      if (name.startsWith('__schema')) {
        throw new Error(`A recursive schema has no name; give it .meta({ id }) (found while converting to ${name}).`);
      }
      const converted = retarget(def) as SchemaObject;
      const known = this.components[name];
      if (known && JSON.stringify(known) !== JSON.stringify(converted)) {
        throw new Error(`Two different schemas are named ${name}; names given with .meta({ id }) must be unique.`);
      }
      this.components[name] = converted;
    }
    return retarget(rest) as SchemaObject;
  }
}

function parameters(collector: SchemaCollector, operation: DeclaredOperation): ParameterObject[] {
  const list: ParameterObject[] = [];
  for (const [place, schema] of [['path', operation.params], ['query', operation.query]] as const) {
    if (!schema) continue;
    const json = collector.convert(schema, 'input');
    const required = new Set(json.required ?? []);
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property;
      list.push({
        name,
        in: place,
        ...(description ? { description } : {}),
        required: place === 'path' || required.has(name),
        schema: rest,
      });
    }
  }
  return list;
}

function buildOperation(collector: SchemaCollector, operation: DeclaredOperation): OperationObject {
  const responses: Record<string, ResponseObject | ReferenceObject> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response) continue;
    const media: [string, z.ZodType][] = [
      ...(response.schema ? [[response.contentType ?? 'application/json', response.schema] as [string, z.ZodType]] : []),
      ...Object.entries(response.alternatives ?? {}),
    ];
    const answer: ResponseObject = { description: response.description };
    if (response.headers) {
      answer.headers = Object.fromEntries(
        Object.entries(response.headers).map(([name, header]) => [
          name,
          { description: header.description, schema: collector.convert(header.schema, 'output') },
        ]),
      );
    }
    if (media.length > 0) {
      answer.content = Object.fromEntries(media.map(([type, schema]) => [type, { schema: collector.convert(schema, 'output') }]));
    }
    responses[status] = answer;
  }
  // Express answers any GET with an ETag, and 304 to a client that sends it back in If-None-Match.
  if (operation.method === 'get') responses['304'] ??= { description: 'Unchanged since the ETag sent in If-None-Match.' };
  const signedIn = operation.signedIn ?? 'none';
  const problems = new Set<ProblemStatus>(operation.problems ?? []);
  if (operation.api) for (const code of COMMON_API_PROBLEMS) problems.add(code);
  // Any bearer header is checked, so a bad one is a 401 even where signing in is optional.
  if (signedIn !== 'none') problems.add(401);
  for (const code of [...problems].sort()) responses[String(code)] ??= { $ref: `#/components/responses/${code}` };

  const bearer: SecurityRequirement = { bearerAuth: [] };
  const security = signedIn === 'required' ? [bearer] : signedIn === 'optional' ? [{}, bearer] : undefined;
  const params = parameters(collector, operation);
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: operation.tags,
    ...(params.length ? { parameters: params } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: !operation.bodyOptional,
            content: { 'application/json': { schema: collector.convert(operation.body, 'input') } },
          },
        }
      : {}),
    ...(operation.rawBody
      ? {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              operation.rawBody.contentTypes.map((type) => [type, { schema: collector.convert(operation.rawBody!.schema, 'input') }]),
            ),
          },
        }
      : {}),
    responses,
    ...(security ? { security } : {}),
  };
}

/** The document for the given operations (by default every one declared so far). */
export function buildOpenApiDocument(operations: DeclaredOperation[] = declaredOperations()): OpenApiDocument {
  const collector = new SchemaCollector();
  collector.convert(problemJsonSchema, 'output');
  const paths: OpenApiDocument['paths'] = {};
  const tags: string[] = [];
  for (const operation of operations) {
    paths[operation.path] = { ...paths[operation.path], [operation.method]: buildOperation(collector, operation) };
    for (const tag of operation.tags) if (!tags.includes(tag)) tags.push(tag);
  }
  const problemCodes = Object.keys(PROBLEM_DESCRIPTIONS).map(Number) as ProblemStatus[];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Threadline',
      version: '1.0.0',
      description: 'Threaded comments with moderation for news sites. Errors are application/problem+json (RFC 9457).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags: tags.map((name) => (TAG_DESCRIPTIONS[name] ? { name, description: TAG_DESCRIPTIONS[name] } : { name })),
    paths,
    components: {
      schemas: collector.components,
      responses: Object.fromEntries(
        problemCodes.map((code) => {
          if (code === 431) return [String(code), { description: PROBLEM_DESCRIPTIONS[code] }];
          const response: ResponseObject = {
            description: PROBLEM_DESCRIPTIONS[code],
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          };
          if (code === 429 || code === 503) response.headers = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } };
          return [String(code), response];
        }),
      ),
      parameters: {},
      headers: {
        'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'string', pattern: '^[0-9]+$' } },
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A session token from sign-in.' },
      },
    },
  };
}
