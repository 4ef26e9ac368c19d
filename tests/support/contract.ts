import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { RequestHandler } from 'express';
import { buildOpenApiDocument } from '../../src/openapi/document';
import type { MediaTypeObject, OpenApiDocument, OperationObject, ResponseObject } from '../../src/openapi/types';

/**
 * Every answer the test apps give is checked against the generated OpenAPI document: the route must be
 * documented, its status among the operation's responses, its media type among that response's, and a
 * JSON body must validate against the response's schema. What does not match is recorded here, and the
 * root hook (tests/support/hooks.ts) fails the test that caused it.
 */
export const contractViolations: string[] = [];

interface CompiledDocument {
  document: OpenApiDocument;
  routes: { method: string; pattern: RegExp; operation: OperationObject }[];
  ajv: Ajv2020;
  validators: Map<object, ValidateFunction>;
}

let compiled: CompiledDocument | null = null;

/** What the API's body rules answer before routing, on any path. */
const PRE_ROUTING_PROBLEMS = [400, 413, 415];

/** The document as the running app declares it, compiled once (the first answer comes after every app route is declared). */
function compiledDocument(): CompiledDocument {
  if (compiled) return compiled;
  const document = buildOpenApiDocument();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi.json', components: { schemas: document.components.schemas } });
  const routes = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method,
      pattern: new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      operation: operation as OperationObject,
    })),
  );
  compiled = { document, routes, ajv, validators: new Map() };
  return compiled;
}

function resolveResponse(document: OpenApiDocument, response: OperationObject['responses'][string]): ResponseObject {
  if ('$ref' in response) return document.components.responses[response.$ref.replace('#/components/responses/', '')];
  return response;
}

function validatorFor(contract: CompiledDocument, media: MediaTypeObject): ValidateFunction {
  let validate = contract.validators.get(media);
  if (!validate) {
    const schema = JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"openapi.json#/components/')) as object;
    validate = contract.ajv.compile(schema);
    contract.validators.set(media, validate);
  }
  return validate;
}

/** What is wrong with one answer, or null when it is as documented. */
export function contractProblem(method: string, path: string, status: number, contentType: string, body: string): string | null {
  const contract = compiledDocument();
  const route = contract.routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route) {
    // Only API paths are documented. An unknown one answers 404, or the body rules' 400/413/415 that run
    // before any route; anything else answering there is an undocumented endpoint.
    if (!path.startsWith('/api/') || status === 404) return null;
    if (PRE_ROUTING_PROBLEMS.includes(status) && contentType.startsWith('application/problem+json')) return null;
    return `${method.toUpperCase()} ${path} answered ${status} but is not in the OpenAPI document`;
  }
  const where = `${method.toUpperCase()} ${path} (${route.operation.operationId}) answered ${status}`;
  const declared = route.operation.responses[String(status)] ?? route.operation.responses.default;
  if (!declared) return `${where}, a status its operation does not document`;
  const response = resolveResponse(contract.document, declared);
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (!response.content) return body.length > 0 ? `${where} with a body its response does not document` : null;
  if (body.length === 0 && status === 304) return null;
  const media = response.content[mediaType];
  if (!media) return `${where} as ${mediaType || 'no media type'}, not ${Object.keys(response.content).join(' or ')}`;
  // Only JSON documents are validated (not streams such as application/x-ndjson).
  if (!/^application\/([\w.-]+\+)?json$/.test(mediaType)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `${where} with a body that is not JSON`;
  }
  const validate = validatorFor(contract, media);
  if (validate(parsed)) return null;
  const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim()).join('; ');
  return `${where} with a body the document does not describe: ${errors}`;
}

/** What keeps a value from matching the named component schema, or null when it matches. */
export function exampleProblem(component: string, value: unknown): string | null {
  const contract = compiledDocument();
  const validate = contract.ajv.getSchema(`openapi.json#/components/schemas/${component}`);
  if (!validate) return `no component ${component}`;
  if (validate(value)) return null;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim()).join('; ');
}

/** Middleware (first in the test apps) that checks every answer against the document once it is sent. */
export const checkAnswersAgainstDocument: RequestHandler = (req, res, next) => {
  let body = '';
  const send = res.send.bind(res);
  res.send = (value?: unknown) => {
    if (typeof value === 'string') body = value;
    else if (Buffer.isBuffer(value)) body = value.toString('utf8');
    return send(value);
  };
  res.once('finish', () => {
    if (req.method === 'OPTIONS' || req.method === 'HEAD') return;
    // Express drops the body of these itself.
    if (res.statusCode === 204 || res.statusCode === 304) body = '';
    const path = req.originalUrl.split('?')[0];
    const problem = contractProblem(req.method.toLowerCase(), path, res.statusCode, String(res.getHeader('content-type') ?? ''), body);
    if (problem) contractViolations.push(problem);
  });
  next();
};
