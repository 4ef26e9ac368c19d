import { expect } from 'chai';
import request from 'supertest';
import { publishChange } from '../../src/changes/feed';
import { SiteModel } from '../../src/sites/site.model';
import { capturedLogLines, testApp } from '../support/app';
import { createTestSite } from '../support/fixtures';

/** The thread read is routed ahead of the other routers and has fast paths: it must keep every layer. */
describe('a thread read keeps every protection of the API', () => {
  const app = testApp();
  const threadPath = (siteId: string, articleId = 'fast-path-story'): string =>
    `/api/v1/sites/${siteId}/articles/${articleId}/comments`;

  it('carries the security headers, the request id, CORS and a validator, and answers 304 to a current copy', async () => {
    const site = await createTestSite({}, ['https://reader.example']);
    const health = await request(app).get('/healthz');
    await request(app).get(threadPath(site.id)).expect(200);
    const res = await request(app)
      .get(threadPath(site.id))
      .set('Origin', 'https://reader.example')
      .set('X-Request-Id', 'thread-read-1')
      .expect(200);
    for (const header of [
      'content-security-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
      'cross-origin-resource-policy',
      'referrer-policy',
    ]) {
      expect(res.headers[header], header).to.be.a('string').and.equal(health.headers[header]);
    }
    expect(res.headers['x-request-id']).to.equal('thread-read-1');
    expect(res.headers['access-control-allow-origin']).to.equal('https://reader.example');
    expect(res.headers.vary).to.match(/Origin/).and.match(/Authorization/);
    expect(res.headers['cache-control']).to.equal('private, no-cache');
    expect(res.headers.etag).to.be.a('string');
    const line = capturedLogLines.find((l) => (l.req as { id?: string } | undefined)?.id === 'thread-read-1');
    expect(line, 'one request line').to.include({ msg: 'request completed', reqId: 'thread-read-1' });
    expect((line?.req as { path?: string }).path).to.equal(threadPath(site.id));
    expect((line?.res as { status?: number }).status).to.equal(200);
    await request(app).get(threadPath(site.id)).set('If-None-Match', String(res.headers.etag)).expect(304);
  });

  it('still validates the article id, the query and the session', async () => {
    const site = await createTestSite();
    const badArticle = await request(app).get(threadPath(site.id, 'not%20valid')).expect(400);
    expect(badArticle.body.errors[0].path).to.equal('articleId');
    const badLimit = await request(app).get(`${threadPath(site.id)}?limit=many`).expect(400);
    expect(badLimit.body.errors[0].path).to.equal('limit');
    await request(app).get(`${threadPath(site.id)}?$where=1`).expect(400);
    await request(app).get(`${threadPath(site.id)}?sort=newest&limit=5`).expect(200);
    await request(app).get(threadPath(site.id)).set('Authorization', 'Bearer not-a-token').expect(401);
    await request(app).get(threadPath('0123456789abcdef01234567')).expect(404);
  });

  it('grants a site\'s origins from memory and follows a change of them', async () => {
    const site = await createTestSite({}, ['https://first.example']);
    const first = await request(app).get(threadPath(site.id)).set('Origin', 'https://first.example').expect(200);
    expect(first.headers['access-control-allow-origin']).to.equal('https://first.example');
    await SiteModel.updateOne({ _id: site.id }, { $set: { origins: ['https://second.example'] } });
    await publishChange({ type: 'site.changed', siteId: site.id });
    const old = await request(app).get(threadPath(site.id)).set('Origin', 'https://first.example').expect(200);
    expect(old.headers['access-control-allow-origin']).to.equal(undefined);
    const next = await request(app).get(threadPath(site.id)).set('Origin', 'https://second.example').expect(200);
    expect(next.headers['access-control-allow-origin']).to.equal('https://second.example');
  });
});
