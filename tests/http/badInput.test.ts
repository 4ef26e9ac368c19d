import { expect } from 'chai';
import request from 'supertest';
import type { HttpMethod, ParameterObject, ReferenceObject, SchemaObject } from '../../src/openapi/types';
import { servedDocument, testApp } from '../support/app';
import { createTestSite, createTestUser } from '../support/fixtures';

const openApiDocument = servedDocument();

/*
 * Every operation that takes a body or a query, from the OpenAPI document, gets each class of bad
 * input. Each must be refused with a 4xx problem, never a 5xx and never accepted.
 */

type BadRequestSpec = { body?: string | object; contentType?: string; query?: string };

function resolveSchema(schema: SchemaObject): SchemaObject {
  return schema.$ref ? openApiDocument.components.schemas[schema.$ref.split('/').pop() ?? ''] : schema;
}

function resolveParameter(parameter: ParameterObject | ReferenceObject): ParameterObject {
  return '$ref' in parameter ? openApiDocument.components.parameters[parameter.$ref.split('/').pop() ?? ''] : parameter;
}

/** A value of the wrong JSON type for the schema. */
function wrongValue(schema: SchemaObject): unknown {
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'string') return 12345;
  if (type === 'boolean') return 'yes';
  return 'not-a-number-or-object';
}

const bodyClasses: Record<string, (properties: Record<string, SchemaObject>) => BadRequestSpec> = {
  'wrong types': (properties) => ({
    body: Object.keys(properties).length
      ? Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, wrongValue(resolveSchema(schema))]))
      : ['not', 'an', 'object'],
  }),
  'unknown fields': (properties) => ({
    body: { ...Object.fromEntries(Object.keys(properties).map((name) => [name, undefined])), unexpectedField: 'surprise' },
  }),
  'operator values': (properties) => ({ body: { [Object.keys(properties)[0] ?? 'body']: { $gt: '' } } }),
  'dotted keys': (properties) => ({ body: { [`${Object.keys(properties)[0] ?? 'body'}.inner`]: 'x' } }),
  'oversize body': () => ({ body: { padding: 'x'.repeat(40 * 1024) } }),
  'malformed JSON': () => ({ body: '{"body": "unterminated', contentType: 'application/json' }),
  'wrong content type': () => ({ body: 'body=hello', contentType: 'application/x-www-form-urlencoded' }),
};

const queryClasses: Record<string, (parameters: ParameterObject[]) => BadRequestSpec> = {
  'query: unknown parameter': () => ({ query: 'unexpectedParameter=1' }),
  'query: operator key': (parameters) => ({ query: `${parameters[0].name}[$ne]=x` }),
  'query: dotted key': (parameters) => ({ query: `${parameters[0].name}.inner=x` }),
  'query: wrong type': (parameters) => {
    const numeric = parameters.find((p) => resolveSchema(p.schema).type === 'integer');
    const enumerated = parameters.find((p) => resolveSchema(p.schema).enum);
    const target = numeric ?? enumerated ?? parameters[0];
    return { query: `${target.name}=${numeric ? 'many' : 'not-a-choice'}&${target.name}=twice` };
  },
};

describe('bad input sweep: every body and query refuses each class of bad input with a 4xx problem', function () {
  this.timeout(120_000);

  it('never answers 2xx or 5xx to bad input, on any operation', async () => {
    const app = testApp();
    const admin = await createTestUser({ role: 'admin' });
    const site = await createTestSite({ allowGuests: true });
    const posted = await request(app)
      .post(`/api/v1/sites/${site.id}/articles/sweep-article/comments`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ body: 'A comment for the sweep to aim at.' })
      .expect(201);
    const ids: Record<string, string> = { siteId: site.id, commentId: posted.body.id, userId: admin.id, articleId: 'sweep-article' };

    const counts = new Map<string, number>();
    const failures: string[] = [];
    for (const [route, item] of Object.entries(openApiDocument.paths)) {
      if (!route.startsWith('/api/v1/') || route.includes('/auth/facebook')) continue;
      for (const [method, operation] of Object.entries(item) as [HttpMethod, NonNullable<(typeof item)[HttpMethod]>][]) {
        if (operation.operationId === 'logout') continue;
        const url = route.replace(/\{(\w+)\}/g, (_match, name: string) => ids[name]);
        const bodySchema = operation.requestBody?.content['application/json']?.schema;
        const queryParameters = (operation.parameters ?? []).map(resolveParameter).filter((p) => p.in === 'query');
        const specs: [string, BadRequestSpec][] = [];
        if (bodySchema) {
          const properties = resolveSchema(bodySchema).properties ?? {};
          for (const [name, make] of Object.entries(bodyClasses)) specs.push([name, make(properties)]);
        }
        if (queryParameters.length) {
          for (const [name, make] of Object.entries(queryClasses)) specs.push([name, make(queryParameters)]);
        }
        for (const [className, spec] of specs) {
          let call = request(app)[method](spec.query ? `${url}?${spec.query}` : url).set('Authorization', `Bearer ${admin.token}`);
          if (spec.contentType) call = call.set('Content-Type', spec.contentType);
          const res = spec.body === undefined ? await call : await call.send(spec.body);
          counts.set(className, (counts.get(className) ?? 0) + 1);
          const isProblem = /^application\/problem\+json/.test(String(res.headers['content-type']));
          if (res.status < 400 || res.status >= 500 || !isProblem) {
            failures.push(`${className}: ${method.toUpperCase()} ${route} -> ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
          }
        }
      }
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    process.stdout.write(
      `    [sweep] ${total} bad requests: ${[...counts].map(([name, n]) => `${name} ${n}`).join(', ')}; ${failures.length} not refused with a 4xx problem\n`,
    );
    expect(failures).to.deep.equal([]);
    expect(total).to.be.greaterThan(100);
  });
});
