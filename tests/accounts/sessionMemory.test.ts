import { expect } from 'chai';
import { Types } from 'mongoose';
import request from 'supertest';
import { ChangeFeed } from '../../src/changes/feed';
import { UserModel } from '../../src/accounts/user.model';
import { testApp } from '../support/app';
import { createTestUser, type TestUser } from '../support/fixtures';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The session check remembers users in process; every change to a user, here or elsewhere, ends that memory. */
describe('session users remembered in process', () => {
  const app = testApp();
  let reader: TestUser;
  let other: ChangeFeed;

  before(async () => {
    reader = await createTestUser({ displayName: 'Remembered Session' });
    other = new ChangeFeed();
    other.start();
  });

  after(() => other.stop());

  const me = () => request(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${reader.token}`);

  it('ends a session at once when the user is written here, whatever the write', async () => {
    await me().expect(200);
    await UserModel.updateOne({ _id: reader.id }, { $inc: { tokenVersion: 1 } });
    await me().expect(401);
    await UserModel.updateOne({ _id: reader.id }, { $inc: { tokenVersion: -1 } });
    await me().expect(200);
  });

  it("ends a session within a second of another instance's logout", async () => {
    await me().expect(200);
    // Another instance's write (straight to the collection: no change here), then its notice through the log.
    await UserModel.collection.updateOne({ _id: new Types.ObjectId(reader.id) }, { $inc: { tokenVersion: 1 } });
    other.publish({ type: 'user.changed', siteId: '*', userId: reader.id });
    const start = Date.now();
    let status = 200;
    for (let i = 0; i < 100 && status !== 401; i += 1) {
      status = (await me()).status;
      if (status !== 401) await delay(50);
    }
    expect(status).to.equal(401);
    expect(Date.now() - start).to.be.below(1500);
  });
});
