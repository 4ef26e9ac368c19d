import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { UserModel } from '../../src/accounts/user.model';
import { SiteModel } from '../../src/sites/site.model';
import {
  auth,
  buildAuthorizationWorld,
} from '../support/authorization';
import { createTestSite, type TestUser } from '../support/fixtures';

// The authorization sweep for sites: every endpoint that takes an id, asked by someone who may not act on
// it, answers 401/403 (or, for bulk, updates nothing) and the stored state is the same afterwards.

describe('authorization on every id: sites', () => {
  let app: Express;
  let siteA: string;
  let author: TestUser;
  let moderatorA: TestUser;
  let moderatorB: TestUser;
  let admin: TestUser;

  before(async () => {
    ({ app, siteA, author, moderatorA, moderatorB, admin } = await buildAuthorizationWorld());
  });

  describe('GET /sites/:siteId', () => {
    const refusals: [string, () => TestUser | null, number][] = [
      ['a commenter', () => author, 403],
      ['a moderator of another site', () => moderatorB, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status}`, async () => {
        const user = caller();
        const call = request(app).get(`/api/v1/sites/${siteA}`);
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        expect(res.body).to.not.have.property('settings');
      });
    }

    it('answers the site\'s own moderator and an admin', async () => {
      for (const user of [moderatorA, admin]) {
        const res = await request(app).get(`/api/v1/sites/${siteA}`).set(auth(user));
        expect(res.status).to.equal(200);
        expect(res.body.id).to.equal(siteA);
      }
    });
  });

  describe('PATCH /sites/:siteId/settings (admin role)', () => {
    let siteId: string;

    beforeEach(async () => {
      siteId = (await createTestSite({ premoderation: 'none', maxLinks: 2 })).id;
    });

    async function storedSettings(): Promise<Record<string, unknown>> {
      const site = await SiteModel.findById(siteId).lean<{ settings: Record<string, unknown> }>();
      if (!site) throw new Error('site is gone');
      return site.settings;
    }

    const refusals: [string, () => TestUser | null, number][] = [
      ['a commenter', () => author, 403],
      ['a moderator of another site', () => moderatorB, 403],
      // Settings are the admin's: the site's own moderator may read them, not change them.
      ['a moderator of this site', () => moderatorA, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status} and the settings stay`, async () => {
        const user = caller();
        if (user === moderatorA) {
          await UserModel.updateOne({ _id: moderatorA.id }, { $addToSet: { moderatedSiteIds: siteId } });
        }
        const call = request(app)
          .patch(`/api/v1/sites/${siteId}/settings`)
          .send({ premoderation: 'all', maxLinks: 0, allowGuests: true });
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        expect(await storedSettings()).to.deep.include({ premoderation: 'none', maxLinks: 2, allowGuests: false });
      });
    }

    it('lets an admin change them', async () => {
      const res = await request(app).patch(`/api/v1/sites/${siteId}/settings`).set(auth(admin)).send({ maxLinks: 0 });
      expect(res.status).to.equal(200);
      expect(res.body.settings.maxLinks).to.equal(0);
      expect((await storedSettings()).maxLinks).to.equal(0);
    });
  });

  describe('POST /sites (admin role)', () => {
    const refusals: [string, () => TestUser | null, number][] = [
      ['a commenter', () => author, 403],
      ['a moderator', () => moderatorA, 403],
      ['nobody signed in', () => null, 401],
    ];
    for (const [who, caller, status] of refusals) {
      it(`refuses ${who} with ${status} and creates nothing`, async () => {
        const name = `Refused Gazette ${who}`;
        const user = caller();
        const call = request(app).post('/api/v1/sites').send({ name, origins: ['https://gazette.example'] });
        const res = user ? await call.set(auth(user)) : await call;
        expect(res.status).to.equal(status);
        expect(await SiteModel.countDocuments({ name })).to.equal(0);
      });
    }

    it('lets an admin create one', async () => {
      const res = await request(app)
        .post('/api/v1/sites')
        .set(auth(admin))
        .send({ name: 'Admitted Gazette', origins: ['https://gazette.example'] });
      expect(res.status).to.equal(201);
      expect(await SiteModel.countDocuments({ _id: res.body.id })).to.equal(1);
    });
  });
});
