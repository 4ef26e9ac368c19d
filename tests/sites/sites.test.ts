import { expect } from 'chai';
import request from 'supertest';
import { SiteModel } from '../../src/sites/site.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';

describe('sites over HTTP', () => {
  const app = testApp();
  let admin: TestUser;
  let reader: TestUser;

  before(async () => {
    admin = await createTestUser({ role: 'admin' });
    reader = await createTestUser();
  });

  const auth = (user: TestUser): [string, string] => ['Authorization', `Bearer ${user.token}`];

  describe('POST /api/v1/sites', () => {
    it('creates a site with normalised origins and default settings', async () => {
      const res = await request(app)
        .post('/api/v1/sites')
        .set(...auth(admin))
        .send({ name: 'Harbour Gazette', origins: ['https://Harbour.Example:443/', 'http://localhost:8080'] })
        .expect(201);
      expect(res.body.id).to.match(/^[a-f0-9]{24}$/);
      expect(res.body.name).to.equal('Harbour Gazette');
      expect(res.body.origins).to.deep.equal(['https://harbour.example', 'http://localhost:8080']);
      expect(res.body.settings).to.deep.equal({
        premoderation: 'none',
        bannedWords: [],
        suspectWords: [],
        allowedPhrases: [],
        maxLinks: 2,
        editWindowSeconds: 300,
        maxDepth: 8,
        flagThreshold: 3,
        allowGuests: false,
        requireVerifiedEmail: false,
      });
    });

    it('refuses origins with a path, another scheme or credentials', async () => {
      for (const origin of ['https://news.example/comments', 'ftp://news.example', 'https://u:p@news.example', 'news']) {
        const res = await request(app)
          .post('/api/v1/sites')
          .set(...auth(admin))
          .send({ name: 'Bad origins', origins: [origin] })
          .expect(400);
        expect(res.body.errors[0].path).to.equal('origins.0');
      }
    });

    it('refuses unknown fields and a missing name', async () => {
      await request(app).post('/api/v1/sites').set(...auth(admin)).send({ origins: [] }).expect(400);
      await request(app)
        .post('/api/v1/sites')
        .set(...auth(admin))
        .send({ name: 'x', origins: [], owner: 'me' })
        .expect(400);
    });

    it('is for admins only', async () => {
      await request(app).post('/api/v1/sites').send({ name: 'Anon', origins: [] }).expect(401);
      await request(app).post('/api/v1/sites').set(...auth(reader)).send({ name: 'Reader', origins: [] }).expect(403);
    });
  });

  describe('GET /api/v1/sites/:siteId', () => {
    it('lets admins and the site\'s moderators read it, nobody else', async () => {
      const site = await createTestSite();
      const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
      const otherModerator = await createTestUser({ role: 'moderator' });
      const asAdmin = await request(app).get(`/api/v1/sites/${site.id}`).set(...auth(admin)).expect(200);
      expect(asAdmin.body.id).to.equal(site.id);
      expect(asAdmin.body.origins).to.deep.equal(['https://news.example']);
      await request(app).get(`/api/v1/sites/${site.id}`).set(...auth(moderator)).expect(200);
      await request(app).get(`/api/v1/sites/${site.id}`).set(...auth(otherModerator)).expect(403);
      await request(app).get(`/api/v1/sites/${site.id}`).set(...auth(reader)).expect(403);
      await request(app).get(`/api/v1/sites/${site.id}`).expect(401);
    });

    it('answers 404 for unknown and malformed ids', async () => {
      await request(app).get('/api/v1/sites/0123456789abcdef01234567').set(...auth(admin)).expect(404);
      await request(app).get('/api/v1/sites/not-an-id').set(...auth(admin)).expect(404);
    });
  });

  describe('PATCH /api/v1/sites/:siteId/settings', () => {
    it('changes only the named settings', async () => {
      const site = await createTestSite();
      const res = await request(app)
        .patch(`/api/v1/sites/${site.id}/settings`)
        .set(...auth(admin))
        .send({ premoderation: 'first-comment', maxDepth: 3, allowGuests: true })
        .expect(200);
      expect(res.body.settings).to.include({ premoderation: 'first-comment', maxDepth: 3, allowGuests: true, maxLinks: 2 });
      const again = await request(app).get(`/api/v1/sites/${site.id}`).set(...auth(admin)).expect(200);
      expect(again.body.settings.maxDepth).to.equal(3);
    });

    it('bumps the word list version only when a word list changes', async () => {
      const site = await createTestSite();
      await request(app).patch(`/api/v1/sites/${site.id}/settings`).set(...auth(admin)).send({ maxLinks: 5 }).expect(200);
      expect((await SiteModel.findById(site.id).lean())?.wordListVersion).to.equal(0);
      const res = await request(app)
        .patch(`/api/v1/sites/${site.id}/settings`)
        .set(...auth(admin))
        .send({ bannedWords: [' turnip ', 'turnip', 'parsnip'] })
        .expect(200);
      expect(res.body.settings.bannedWords).to.deep.equal(['turnip', 'parsnip']);
      expect(res.body.wordListVersion).to.equal(1);
      await request(app).patch(`/api/v1/sites/${site.id}/settings`).set(...auth(admin)).send({ suspectWords: [] }).expect(200);
      expect((await SiteModel.findById(site.id).lean())?.wordListVersion).to.equal(2);
      const allowed = await request(app)
        .patch(`/api/v1/sites/${site.id}/settings`)
        .set(...auth(admin))
        .send({ allowedPhrases: [' Dick Whittington ', 'Dick Whittington', 'Scunthorpe'] })
        .expect(200);
      expect(allowed.body.settings.allowedPhrases).to.deep.equal(['Dick Whittington', 'Scunthorpe']);
      expect(allowed.body.wordListVersion).to.equal(3);
    });

    it('validates every setting', async () => {
      const site = await createTestSite();
      const bad: Record<string, unknown>[] = [
        { premoderation: 'sometimes' },
        { maxLinks: 51 },
        { maxLinks: -1 },
        { editWindowSeconds: 86401 },
        { maxDepth: 0 },
        { maxDepth: 21 },
        { flagThreshold: 0 },
        { flagThreshold: 1001 },
        { allowGuests: 'yes' },
        { bannedWords: ['x'.repeat(65)] },
        { bannedWords: Array.from({ length: 501 }, (_, i) => `word${i}`) },
        { suspectWords: [3] },
        { allowedPhrases: ['x'.repeat(65)] },
        { allowedPhrases: [''] },
        { allowedPhrases: 'Scunthorpe' },
        { allowedPhrases: Array.from({ length: 501 }, (_, i) => `place ${i}`) },
        { colour: 'blue' },
      ];
      for (const body of bad) {
        const res = await request(app).patch(`/api/v1/sites/${site.id}/settings`).set(...auth(admin)).send(body);
        expect(res.status, JSON.stringify(body).slice(0, 60)).to.equal(400);
      }
    });

    it('is for admins only and 404s unknown sites', async () => {
      const site = await createTestSite();
      const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
      await request(app).patch(`/api/v1/sites/${site.id}/settings`).set(...auth(moderator)).send({ maxLinks: 1 }).expect(403);
      await request(app)
        .patch('/api/v1/sites/0123456789abcdef01234567/settings')
        .set(...auth(admin))
        .send({ maxLinks: 1 })
        .expect(404);
    });
  });

  describe('CORS per site', () => {
    it('grants the site\'s own origins and the service\'s own pages, not foreign origins', async () => {
      const site = await createTestSite({ allowGuests: false }, ['https://allowed.example']);
      const path = `/api/v1/sites/${site.id}/articles/story-1/comments`;
      const allowed = await request(app).get(path).set('Origin', 'https://allowed.example');
      expect(allowed.headers['access-control-allow-origin']).to.equal('https://allowed.example');
      expect(allowed.headers['access-control-allow-credentials']).to.equal(undefined);
      expect(allowed.headers.vary).to.match(/Origin/);
      const foreign = await request(app).get(path).set('Origin', 'https://elsewhere.example');
      expect(foreign.headers['access-control-allow-origin']).to.equal(undefined);
      const own = await request(app).get(path).set('Origin', 'http://threadline.test');
      expect(own.headers['access-control-allow-origin']).to.equal('http://threadline.test');
    });

    it('answers preflights with methods and headers only for allowed origins', async () => {
      const site = await createTestSite({}, ['https://allowed.example']);
      const path = `/api/v1/sites/${site.id}/articles/story-1/comments`;
      const ok = await request(app)
        .options(path)
        .set('Origin', 'https://allowed.example')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type')
        .expect(204);
      expect(ok.headers['access-control-allow-origin']).to.equal('https://allowed.example');
      expect(ok.headers['access-control-allow-methods']).to.contain('PATCH');
      expect(ok.headers['access-control-allow-headers']).to.match(/Authorization/);
      const refused = await request(app)
        .options(path)
        .set('Origin', 'https://elsewhere.example')
        .set('Access-Control-Request-Method', 'POST')
        .expect(204);
      expect(refused.headers['access-control-allow-origin']).to.equal(undefined);
      expect(refused.headers['access-control-allow-methods']).to.equal(undefined);
    });

    it('grants no origin for unknown sites', async () => {
      const res = await request(app)
        .get('/api/v1/sites/0123456789abcdef01234567/counts?articles=a')
        .set('Origin', 'https://allowed.example');
      expect(res.headers['access-control-allow-origin']).to.equal(undefined);
    });
  });
});
