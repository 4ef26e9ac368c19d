import { expect } from 'chai';
import request from 'supertest';
import { testApp } from '../support/app';
import { createTestSite, createTestUser } from '../support/fixtures';

const braked = () => testApp({ RATE_LIMITS_ENABLED: 'true', RATE_LIMIT_COMMENTS_PER_IP: '1000', RATE_LIMIT_COMMENTS_PER_USER: '1000' });

describe('comment brakes: duplicate posts and the guest honeypot', () => {
  it('refuses the same text from the same user within the window with 409, but accepts other text', async () => {
    const app = braked();
    const user = await createTestUser();
    const site = await createTestSite();
    const path = `/api/v1/sites/${site.id}/articles/brake-article/comments`;
    const post = (body: string, articleId = 'brake-article') =>
      request(app).post(path.replace('brake-article', articleId)).set('Authorization', `Bearer ${user.token}`).send({ body });
    expect((await post('Exactly the same words, twice.')).status).to.equal(201);
    const again = await post('Exactly the same words,   twice.', 'another-article');
    expect(again.status).to.equal(409);
    expect(again.headers['content-type']).to.match(/^application\/problem\+json/);
    expect(again.body.detail).to.match(/same text/);
    expect((await post('Different words this time.')).status).to.equal(201);
  });

  it('does not hold a failed post against a corrected retry of the same text', async () => {
    const app = braked();
    const user = await createTestUser();
    const site = await createTestSite();
    const path = `/api/v1/sites/${site.id}/articles/retry-article/comments`;
    const first = await request(app).post(path).set('Authorization', `Bearer ${user.token}`).send({ body: 'Retry me.', parentId: 'bad' });
    expect(first.status).to.equal(400);
    const retry = await request(app).post(path).set('Authorization', `Bearer ${user.token}`).send({ body: 'Retry me.' });
    expect(retry.status).to.equal(201);
  });

  it('refuses a guest post whose honeypot field is filled, and ignores an empty one', async () => {
    const app = testApp();
    const site = await createTestSite({ allowGuests: true });
    const path = `/api/v1/sites/${site.id}/articles/honey-article/comments`;
    const guest = { name: 'Passer-by', email: 'passer@example.test' };
    const bot = await request(app).post(path).send({ body: 'Buy now', guest, website: 'https://spam.example' });
    expect(bot.status).to.equal(400);
    expect(bot.body.errors).to.deep.equal([{ path: 'website', message: 'must be empty' }]);
    const person = await request(app).post(path).send({ body: 'A real thought.', guest, website: '' });
    expect(person.status).to.equal(201);
  });
});
