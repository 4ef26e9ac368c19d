import { expect } from 'chai';
import request from 'supertest';
import { capturedLogLines, testApp } from '../support/app';

describe('service foundation over HTTP', () => {
  const app = testApp();

  it('answers /healthz with ok', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  it('answers /readyz with 200 while the database answers', async () => {
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body.status).to.equal('ready');
  });

  it('answers an unknown path with a problem+json 404', async () => {
    const res = await request(app).get('/api/v1/nothing-here').expect(404);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body).to.include({ status: 404, title: 'Not Found' });
    expect(res.body.type).to.be.a('string');
    expect(res.body.detail).to.contain('/api/v1/nothing-here');
  });

  it('answers malformed JSON with a 400 problem and no stack trace', async () => {
    const res = await request(app)
      .post('/api/v1/anything')
      .set('Content-Type', 'application/json')
      .send('{"body": ')
      .expect(400);
    expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(res.body.detail).to.match(/not valid JSON/);
    expect(JSON.stringify(res.body)).not.to.match(/at .*\.(ts|js):\d+/);
  });

  it('answers a body in another content type with 415', async () => {
    const res = await request(app).post('/api/v1/anything').set('Content-Type', 'text/plain').send('hello').expect(415);
    expect(res.body.status).to.equal(415);
  });

  it('answers an oversized body with 413', async () => {
    const res = await request(app)
      .post('/api/v1/anything')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ body: 'x'.repeat(40 * 1024) }))
      .expect(413);
    expect(res.body.title).to.equal('Content Too Large');
  });

  it('refuses MongoDB operator keys in a body', async () => {
    const res = await request(app).post('/api/v1/anything').send({ email: { $gt: '' } }).expect(400);
    expect(res.body.errors[0].path).to.equal('body.email.$gt');
  });

  it('sets security headers with a strict content security policy', async () => {
    const res = await request(app).get('/healthz');
    expect(res.headers['content-security-policy']).to.contain("default-src 'none'");
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers).not.to.have.property('x-powered-by');
  });

  it('logs each request as JSON with the request id it returns', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(res.headers['x-request-id']).to.equal('trace-abc-123');
    const line = capturedLogLines.find(
      (l) => (l.req as { id?: string } | undefined)?.id === 'trace-abc-123' && l.msg === 'request completed',
    );
    expect(line, 'a request log line with the request id').to.not.equal(undefined);
  });

  it('replaces a request id that is not safe to log', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(res.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });
});
