import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import {
  auth,
  buildAuthorizationWorld,
} from '../support/authorization';
import type { TestUser } from '../support/fixtures';

// The authorization sweep for accounts: every endpoint that takes an id, asked by someone who may not act on
// it, answers 401/403 (or, for bulk, updates nothing) and the stored state is the same afterwards.

describe('authorization on every id: accounts', () => {
  let app: Express;
  let author: TestUser;
  let otherCommenter: TestUser;
  let moderatorA: TestUser;

  before(async () => {
    ({ app, author, otherCommenter, moderatorA } = await buildAuthorizationWorld());
  });

  describe('private data', () => {
    it('GET /auth/me answers with the caller only, email included', async () => {
      for (const user of [author, otherCommenter, moderatorA]) {
        const res = await request(app).get('/api/v1/auth/me').set(auth(user));
        expect(res.status).to.equal(200);
        expect(res.body).to.include({ id: user.id, email: user.email, displayName: user.displayName });
      }
      expect((await request(app).get('/api/v1/auth/me')).status).to.equal(401);
    });
  });
});
