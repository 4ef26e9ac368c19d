import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { ChangeFeed } from '../../src/changes/feed';
import { SiteBanModel } from '../../src/moderation/siteBan.model';
import { bearer, threadPath } from '../comments/helpers';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Site bans are remembered per user between writes; every ban change, here or elsewhere, ends that memory. */
describe('site bans remembered in process', () => {
  const app = testApp();
  let siteId: string;
  let reader: TestUser;
  let moderator: TestUser;
  let other: ChangeFeed;

  before(async () => {
    siteId = (await createTestSite()).id;
    reader = await createTestUser({ displayName: 'Remembered Reader' });
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] });
    other = new ChangeFeed();
    other.start();
  });

  after(() => other.stop());

  const postAs = (user: TestUser, body: string) => request(app).post(threadPath(siteId, 'ban-memory')).set(...bearer(user)).send({ body });

  it('refuses the next post at once after a ban made here, and accepts one after it is lifted', async () => {
    await postAs(reader, 'Before any ban.').expect(201);
    await request(app)
      .post(`/api/v1/sites/${siteId}/bans`)
      .set(...bearer(moderator))
      .send({ userId: reader.id, reason: 'testing the memory' })
      .expect(201);
    await postAs(reader, 'While banned.').expect(403);
    await request(app).delete(`/api/v1/sites/${siteId}/bans/${reader.id}`).set(...bearer(moderator)).expect(204);
    await postAs(reader, 'After the ban was lifted.').expect(201);
  });

  it("refuses posts within a second of another instance's ban", async () => {
    await postAs(reader, 'Known not banned.').expect(201);
    // Another instance writes the ban, then publishes it through the shared log.
    await SiteBanModel.create({
      _id: `${siteId}:${reader.id}`,
      siteId: new Types.ObjectId(siteId),
      userId: new Types.ObjectId(reader.id),
      reason: 'banned elsewhere',
      until: null,
      actorId: new Types.ObjectId(moderator.id),
    });
    other.publish({ type: 'user.banned', siteId, userId: reader.id });
    const start = Date.now();
    let status = 0;
    for (let i = 0; i < 100 && status !== 403; i += 1) {
      status = (await postAs(reader, `Trying again ${i}.`)).status;
      if (status !== 403) await delay(50);
    }
    expect(status).to.equal(403);
    expect(Date.now() - start).to.be.below(1500);
  });
});
