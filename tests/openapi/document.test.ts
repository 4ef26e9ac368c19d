import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type { SchemaObject } from '../../src/openapi/types';
import { servedDocument, testApp } from '../support/app';
import { contractProblem, exampleProblem } from '../support/contract';

const openApiDocument = servedDocument();

/** Every `| METHOD | /path |` row of the contract, with `:param` written as `{param}`. */
function contractOperations(): { method: string; path: string }[] {
  const contract = readFileSync(path.join(__dirname, '..', '..', 'docs', 'API.md'), 'utf8');
  const rows = [...contract.matchAll(/^\| (GET|POST|PUT|PATCH|DELETE) \| (\/[^ |]*) \|/gm)];
  return rows.map((row) => ({ method: row[1].toLowerCase(), path: row[2].replace(/:([A-Za-z]+)/g, '{$1}') }));
}

function resolve(schema: SchemaObject): SchemaObject {
  if (!schema.$ref) return schema;
  return openApiDocument.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
}

describe('OpenAPI document', () => {
  it('is served at /api/v1/openapi.json as OpenAPI 3.1', async () => {
    const res = await request(testApp()).get('/api/v1/openapi.json').expect(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.body.openapi).to.equal('3.1.0');
    expect(res.body).to.deep.equal(JSON.parse(JSON.stringify(openApiDocument)));
  });

  it('describes every path and method of the contract', () => {
    const operations = contractOperations();
    expect(operations.length).to.be.greaterThan(25);
    const missing = operations.filter((op) => !openApiDocument.paths[op.path]?.[op.method as 'get']);
    expect(missing).to.deep.equal([]);
  });

  it('refuses unknown fields in every request body and documents problem answers for every API operation', () => {
    for (const [route, item] of Object.entries(openApiDocument.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const body = operation.requestBody?.content['application/json']?.schema;
        if (body) expect(resolve(body).additionalProperties, `${method} ${route}`).to.equal(false);
        if (route.startsWith('/api/v1/') && route !== '/api/v1/openapi.json') {
          for (const code of ['400', '404', '429', '503']) {
            expect(operation.responses, `${method} ${route}`).to.have.property(code);
          }
        }
      }
    }
  });

  it('finds answers the document does not describe (the check every test app runs)', () => {
    const json = 'application/json; charset=utf-8';
    expect(contractProblem('get', '/healthz', 200, json, '{"status":"ok"}')).to.equal(null);
    expect(contractProblem('get', '/healthz', 200, json, '{"status":"ok","uptime":3}')).to.match(/does not describe/);
    expect(contractProblem('get', '/healthz', 200, json, '{"status":"fine"}')).to.match(/does not describe/);
    expect(contractProblem('get', '/healthz', 201, json, '{"status":"ok"}')).to.match(/status its operation does not document/);
    expect(contractProblem('get', '/healthz', 200, 'text/html', '<p>ok</p>')).to.match(/not application\/json/);
    expect(contractProblem('get', '/api/v1/nothing/here', 200, json, '{}')).to.match(/not in the OpenAPI document/);
    expect(contractProblem('get', '/api/v1/nothing/here', 404, 'application/problem+json', '{}')).to.equal(null);
  });

  it('matches every example in docs/API.md to the component it names', () => {
    const contract = readFileSync(path.join(__dirname, '..', '..', 'docs', 'API.md'), 'utf8');
    const examples = [...contract.matchAll(/^```json (\w+)\n([\s\S]*?)^```/gm)];
    expect(examples.length).to.be.greaterThan(3);
    for (const [, component, text] of examples) {
      expect(openApiDocument.components.schemas, component).to.have.property(component);
      expect(exampleProblem(component, JSON.parse(text)), component).to.equal(null);
    }
  });
});
