import { expect } from 'chai';
import request from 'supertest';
import { createTestSite } from '../support/fixtures';
import { testApp } from '../support/app';
import { threadPath } from '../comments/helpers';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** The value of one sample line, e.g. `name{a="b"} 3`, or null when the line is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [series, value] = line.split(/\s+/);
    if (Object.entries(labels).every(([key, val]) => series.includes(`${key}="${val}"`))) return Number(value);
  }
  return null;
}

describe('metrics: GET /metrics', () => {
  it('does not exist when METRICS_TOKEN is unset', async () => {
    const res = await request(testApp()).get('/metrics');
    expect(res.status).to.equal(404);
  });

  it('answers 401 without the token or with a wrong one', async () => {
    const app = testApp({ METRICS_TOKEN: TOKEN });
    expect((await request(app).get('/metrics')).status).to.equal(401);
    expect((await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`)).status).to.equal(401);
    expect((await request(app).get('/metrics').set('Authorization', TOKEN)).status).to.equal(401);
  });

  it('reports requests by route pattern, moderation decisions, queue depth, database commands and live streams', async () => {
    const app = testApp({ METRICS_TOKEN: TOKEN });
    const site = await createTestSite({ allowGuests: true, bannedWords: ['grapefruit'] });
    const posted = await request(app)
      .post(threadPath(site.id, 'metrics-article'))
      .send({ body: 'A guest remark that waits for review', guest: { name: 'Guest', email: 'guest@example.test' } });
    expect(posted.status).to.equal(201);
    const refused = await request(app)
      .post(threadPath(site.id, 'metrics-article'))
      .send({ body: 'I do not like grapefruit', guest: { name: 'Guest', email: 'guest@example.test' } });
    expect(refused.status).to.equal(422);

    const res = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/plain/);
    const text = res.text;
    const route = '/api/v1/sites/:siteId/articles/:articleId/comments';
    expect(sample(text, 'threadline_http_requests_total', { method: 'POST', route, status: '201' })).to.be.at.least(1);
    expect(sample(text, 'threadline_http_requests_total', { method: 'POST', route, status: '422' })).to.be.at.least(1);
    expect(sample(text, 'threadline_http_request_duration_seconds_count', { route, status: '201' })).to.be.at.least(1);
    expect(text).not.to.include(site.id + '/articles');
    expect(sample(text, 'threadline_moderation_decisions_total', { status: 'pending', reason: 'guest' })).to.be.at.least(1);
    expect(sample(text, 'threadline_moderation_decisions_total', { status: 'rejected', reason: 'banned-word' })).to.be.at.least(1);
    expect(sample(text, 'threadline_moderation_phase_duration_seconds_count', { phase: 'bannedWords' })).to.be.at.least(2);
    expect(sample(text, 'threadline_moderation_queue_depth', { site: site.id, queue: 'pending' })).to.equal(1);
    expect(sample(text, 'threadline_db_command_duration_seconds_count', { command: 'insert', outcome: 'ok' })).to.be.at.least(1);
    expect(text).to.match(/^threadline_live_streams_open \d+$/m);
    expect(text).to.include('threadline_process_');
  });
});
