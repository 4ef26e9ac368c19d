import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { lookupKey, nameKeys, nameMatches } from '../../src/accounts/nameKeys';
import { backfillNameKeys } from '../../src/accounts/nameKeysBackfill';
import { UserModel } from '../../src/accounts/user.model';
import { QueueCounterModel } from '../../src/moderation/queuePlaces';
import { testApp, testLogger } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer, insertComment } from '../moderation/helpers';

describe('people search by name, by equality on name keys', () => {
  let app: Express;
  let admin: TestUser;

  before(async () => {
    app = testApp();
    admin = await createTestUser({ role: 'admin' });
  });

  const search = async (user: TestUser, q: string): Promise<string[]> => {
    const res = await request(app).get('/api/v1/people').query({ q }).set(bearer(user.token));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.items.map((u: { id: string }) => u.id);
  };

  it('keys every prefix of every word, lower-cased and without accents', () => {
    const keys = nameKeys("Zoë O'Brien-Smith");
    expect(keys).to.include.members(['z', 'zo', 'zoe', 'o', 'b', 'brien', 's', 'smith']);
    expect(keys).to.not.include('zoë');
    expect(keys).to.not.include('rien');
    expect(lookupKey('  jean  LUC ')).to.equal('jean');
    expect(lookupKey('--')).to.equal(null);
    expect(nameMatches('Jean-Luc Picard', 'luc jea')).to.equal(true);
    expect(nameMatches('Jean-Luc Picard', 'ean')).to.equal(false);
  });

  it('keeps the keys with the name, however it is written', async () => {
    const user = await UserModel.create({ displayName: 'Ottoline Marsh' });
    expect(user.nameKeys).to.include('ottol');
    await UserModel.updateOne({ _id: user._id }, { $set: { displayName: 'Ottoline Fenwick' } });
    let stored = await UserModel.findById(user._id).lean();
    expect(stored?.nameKeys).to.include('fenw').and.not.include('marsh');
    await UserModel.updateOne({ _id: user._id }, { displayName: 'Perpetua Fenwick' });
    stored = await UserModel.findById(user._id).lean();
    expect(stored?.nameKeys).to.include('perp').and.not.include('ottoline');
    const changed = await request(app).patch('/api/v1/me').set(bearer(admin.token)).send({ displayName: 'Adelheid Admin' });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect(await search(admin, 'adelh')).to.deep.equal([admin.id]);
  });

  it('finds admins\' people by any word\'s beginning, several words, any case or accent; not by the middle of a word', async () => {
    const zoe = await createTestUser({ displayName: 'Zoë Quartermaine-Vale' });
    const other = await createTestUser({ displayName: 'Quartus Vale' });
    expect(await search(admin, 'quarterm')).to.deep.equal([zoe.id]);
    expect(await search(admin, 'ZOE vale')).to.deep.equal([zoe.id]);
    expect(new Set(await search(admin, 'Vale'))).to.deep.equal(new Set([zoe.id, other.id]));
    expect(await search(admin, 'artermaine')).to.deep.equal([]);
  });

  it('gives accounts from before name keys theirs, once', async () => {
    const { insertedId } = await UserModel.collection.insertOne({ displayName: 'Barnabetta Olden', role: 'commenter', tokenVersion: 0 });
    expect(await search(admin, 'barnab')).to.deep.equal([]);
    await QueueCounterModel.deleteOne({ _id: 'backfill:name-keys:1' });
    expect(await backfillNameKeys(testLogger)).to.be.greaterThan(0);
    expect(await search(admin, 'barnab')).to.deep.equal([String(insertedId)]);
    expect(await backfillNameKeys(testLogger)).to.equal(0);
  });

  it('finds for a moderator only people who commented on their sites, without emails', async () => {
    const siteId = (await createTestSite()).id;
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
    const here = await createTestUser({ displayName: 'Wendeline Here' });
    await createTestUser({ displayName: 'Wendeline Elsewhere' });
    await insertComment(siteId, { authorId: here.id, displayName: here.displayName });
    const res = await request(app).get('/api/v1/people').query({ q: 'wendel' }).set(bearer(moderator.token));
    expect(res.body.items.map((u: { id: string }) => u.id)).to.deep.equal([here.id]);
    expect(res.body.items[0]).to.not.have.property('email');
  });
});
