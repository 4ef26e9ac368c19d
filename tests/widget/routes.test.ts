import { expect } from 'chai';
import request from 'supertest';
import { SiteModel } from '../../src/sites/site.model';
import { DEMO_SITE_NAME } from '../../src/widget/demoSite';
import { testApp } from '../support/app';

describe('widget routes', () => {
  const app = testApp({ PUBLIC_URL: 'http://comments.test:8080' });

  it('serves embed.js as a cacheable cross-origin script', async () => {
    const res = await request(app).get('/embed.js').expect(200);
    expect(res.headers['content-type']).to.match(/^application\/javascript/);
    expect(res.headers['cache-control']).to.match(/max-age=\d+/);
    expect(res.headers['cross-origin-resource-policy']).to.equal('cross-origin');
    expect(res.text).to.include('attachShadow');
  });

  it('serves the comment-count script', async () => {
    const res = await request(app).get('/embed/count.js').expect(200);
    expect(res.headers['content-type']).to.match(/^application\/javascript/);
    expect(res.text).to.include('data-comment-count');
  });

  it('serves a demo article whose site accepts the service origin, reusing it on later requests', async () => {
    const first = await request(app).get('/demo').expect(200);
    const second = await request(app).get('/demo').expect(200);
    const siteIds = [first.text, second.text].map((html) => /id="comments" data-site="([a-f0-9]{24})"/.exec(html)?.[1]);
    expect(siteIds[0]).to.be.a('string');
    expect(siteIds[1]).to.equal(siteIds[0]);
    expect(first.text).to.include('<script src="/embed.js" async></script>');
    expect(first.text).not.to.match(/<script>|<style>|style="/);
    const site = await SiteModel.findById(siteIds[0]).lean();
    expect(site?.name).to.equal(DEMO_SITE_NAME);
    expect(site?.origins).to.include('http://comments.test:8080');
    expect(await SiteModel.countDocuments({ name: DEMO_SITE_NAME })).to.equal(1);
  });

  it('has no demo page in production', async () => {
    const production = testApp({ NODE_ENV: 'production', PUBLIC_URL: 'https://comments.example' });
    await request(production).get('/demo').expect(404);
    await request(production).get('/embed.js').expect(200);
  });
});
