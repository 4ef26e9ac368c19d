import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { testApp } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { bearer } from './helpers';

interface QueueReason {
  code: string;
  detail?: string;
  matches?: { start: number; end: number }[];
}
interface QueueItem {
  id: string;
  body: string;
  reasons: QueueReason[];
}

describe('word filter through posting, settings and the moderation queue', () => {
  let app: Express;
  let admin: TestUser;
  let writer: TestUser;
  let siteId: string;

  before(async () => {
    app = testApp();
    admin = await createTestUser({ role: 'admin' });
    writer = await createTestUser();
    siteId = (await createTestSite()).id;
  });

  async function post(body: string, article = 'word-filter-article'): Promise<{ id: string; status: string }> {
    const res = await request(app).post(`/api/v1/sites/${siteId}/articles/${article}/comments`).set(bearer(writer.token)).send({ body });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  async function queued(id: string): Promise<QueueItem> {
    const res = await request(app).get(`/api/v1/sites/${siteId}/moderation/queue?limit=100`).set(bearer(admin.token)).expect(200);
    const item = (res.body.items as QueueItem[]).find((i) => i.id === id);
    expect(item, 'the comment is in the queue').to.not.equal(undefined);
    return item as QueueItem;
  }

  it('approves an allowed phrase once the site lists it, and still holds the same word elsewhere', async () => {
    const placeName = 'Flood warnings for Shitterton tonight, the river is high.';
    expect((await post(placeName)).status, 'before the phrase is allowed').to.equal('pending');

    const patched = await request(app)
      .patch(`/api/v1/sites/${siteId}/settings`)
      .set(bearer(admin.token))
      .send({ allowedPhrases: ['Shitterton'] })
      .expect(200);
    expect(patched.body.settings.allowedPhrases).to.deep.equal(['Shitterton']);

    expect((await post(placeName)).status, 'after').to.equal('approved');
    expect((await post('SHITTERTON parish council met on Monday.')).status).to.equal('approved');

    const mixed = 'Shitterton is flooded again, what a shit week for them.';
    const held = await post(mixed);
    expect(held.status).to.equal('pending');
    const item = await queued(held.id);
    const profanity = item.reasons.find((r) => r.code === 'profanity');
    expect(profanity?.matches?.map((m) => item.body.slice(m.start, m.end))).to.deep.equal(['shit']);
  });

  it('lets names through and holds the insult', async () => {
    expect((await post('Senator Dick Durbin and Tammy Duckworth both spoke at the fair.')).status).to.equal('approved');
    expect((await post('Dick Van Dyke was on the late film again.')).status).to.equal('approved');
    const insult = await post('Dick move by the council, closing the library on Sundays.');
    expect(insult.status).to.equal('pending');
    const item = await queued(insult.id);
    expect(item.reasons).to.deep.equal([{ code: 'profanity', detail: 'dick', matches: [{ start: 0, end: 4 }] }]);
  });

  it('returns the offsets of every disguised word in the queue, for the console to mark', async () => {
    const body = 'Honestly, f.u.c.k that 🙂 and the a55 who wrote it, and the ｓｈｉｔ headline.';
    const held = await post(body);
    const item = await queued(held.id);
    const [reason] = item.reasons;
    expect(reason.code).to.equal('profanity');
    expect(reason.detail).to.equal('fuck, ass, shit');
    expect(reason.matches?.map((m) => body.slice(m.start, m.end))).to.deep.equal(['f.u.c.k', 'a55', 'ｓｈｉｔ']);
  });

  it('gives suspect and banned word reasons their offsets too', async () => {
    const strict = (await createTestSite({ suspectWords: ['casino'], bannedWords: ['grifter'] })).id;
    const held = await request(app)
      .post(`/api/v1/sites/${strict}/articles/a1/comments`)
      .set(bearer(writer.token))
      .send({ body: 'The new c a s i n o opens, and the Casino bus too.' })
      .expect(201);
    const queue = await request(app).get(`/api/v1/sites/${strict}/moderation/queue`).set(bearer(admin.token)).expect(200);
    const item = (queue.body.items as QueueItem[]).find((i) => i.id === held.body.id) as QueueItem;
    expect(item.reasons).to.deep.equal([{ code: 'suspect-word', detail: 'casino', matches: [{ start: 8, end: 19 }, { start: 35, end: 41 }] }]);

    const rejected = await request(app)
      .post(`/api/v1/sites/${strict}/articles/a1/comments`)
      .set(bearer(writer.token))
      .send({ body: 'What a gr1fter.' })
      .expect(422);
    expect(rejected.body.errors).to.deep.equal([{ path: 'body', message: 'banned-word: grifter' }]);
    const record = await request(app).get(`/api/v1/sites/${strict}/moderation/queue?status=rejected`).set(bearer(admin.token)).expect(200);
    expect((record.body.items as QueueItem[])[0].reasons).to.deep.equal([
      { code: 'banned-word', detail: 'grifter', matches: [{ start: 7, end: 14 }] },
    ]);
  });

  it('points a held comment\'s offsets at its edited text', async () => {
    const held = await post('That sh1t again.');
    const edited = 'I said, more calmly, that this was total crap and bullshit.';
    await request(app).patch(`/api/v1/comments/${held.id}`).set(bearer(writer.token)).send({ body: edited }).expect(200);
    const item = await queued(held.id);
    expect(item.body).to.equal(edited);
    const withOffsets = item.reasons.filter((r) => r.matches);
    expect(withOffsets.flatMap((r) => (r.matches ?? []).map((m) => edited.slice(m.start, m.end)))).to.deep.equal(['crap', 'bullshit']);
  });
});
