import { expect } from 'chai';
import type { Express } from 'express';
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { IdentityModel, UserModel } from '../../src/accounts/user.model';
import { forgetAuthorIdsComplete, QUEUE_PLACES_BACKFILLED } from '../../src/comments/authorFilter';
import { CommentModel } from '../../src/comments/comment.model';
import { setOnCommentsOfAuthor } from '../../src/comments/store';
import { backfillQueuePlaces } from '../../src/moderation/queueBackfill';
import { QueueCounterModel } from '../../src/moderation/queuePlaces';
import { testApp, testLogger } from '../support/app';
import { createTestSite, createTestUser } from '../support/fixtures';
import { linkTokenFrom, startSmtpServer, type TestSmtpServer } from '../support/smtpServer';
import { STRONG_PASSWORD, uniqueEmail } from '../accounts/helpers';
import { threadPath } from '../comments/helpers';

const NEW_PASSWORD = 'quartz-meadow-harbour-77';

interface Session {
  token: string;
  user: { id: string; email?: string; displayName: string; emailVerified: boolean };
}

describe('readers: account life cycle', () => {
  let smtp: TestSmtpServer;
  let app: Express;

  before(async () => {
    smtp = await startSmtpServer();
    app = testApp({ SMTP_URL: smtp.url, EMAIL_LINK_MAX_PER_ADDRESS: '20' });
  });
  after(() => smtp.close());

  const auth = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

  async function register(label = 'life'): Promise<Session & { email: string }> {
    const email = uniqueEmail(label);
    const res = await request(app).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, displayName: 'Lena Life' }).expect(201);
    // Confirmed in its own session, so the password stays.
    const token = linkTokenFrom(smtp.lastTo(email), 'threadline-verify-email');
    await request(app).post('/api/v1/auth/verify-email').set(...auth(res.body.token)).send({ token }).expect(200);
    return { ...(res.body as Session), email };
  }

  describe('password reset', () => {
    it('answers 202 for known and unknown addresses alike, and mails only the known one', async () => {
      const known = await register();
      const unknown = uniqueEmail('nobody');
      const a = await request(app).post('/api/v1/auth/password-reset').send({ email: known.email }).expect(202);
      const b = await request(app).post('/api/v1/auth/password-reset').send({ email: unknown }).expect(202);
      expect(a.text).to.equal(b.text);
      expect(smtp.lastTo(known.email).subject).to.match(/new password/);
      expect(smtp.messages.some((m) => m.to.includes(unknown))).to.equal(false);
    });

    it('sets the new password from the link once, signs the caller in and ends every other session', async () => {
      const account = await register();
      const elsewhere = await request(app).post('/api/v1/auth/login').send({ email: account.email, password: STRONG_PASSWORD }).expect(200);
      await request(app).post('/api/v1/auth/password-reset').send({ email: account.email }).expect(202);
      const mail = smtp.lastTo(account.email);
      expect(mail.text).to.contain('http://threadline.test/account#threadline-password-reset=');
      const token = linkTokenFrom(mail, 'threadline-password-reset');

      const weak = await request(app).post('/api/v1/auth/password-reset/confirm').send({ token, password: 'short' });
      expect(weak.status).to.equal(400);
      expect(weak.body.errors[0].path).to.equal('password');

      // A refused password does not use the link up.
      const fresh = token;
      const done = await request(app).post('/api/v1/auth/password-reset/confirm').send({ token: fresh, password: NEW_PASSWORD }).expect(200);
      expect(done.body.user).to.include({ id: account.user.id, emailVerified: true });
      await request(app).get('/api/v1/auth/me').set(...auth(done.body.token)).expect(200);
      await request(app).get('/api/v1/auth/me').set(...auth(elsewhere.body.token)).expect(401);
      await request(app).get('/api/v1/auth/me').set(...auth(account.token)).expect(401);
      await request(app).post('/api/v1/auth/login').send({ email: account.email, password: STRONG_PASSWORD }).expect(401);
      await request(app).post('/api/v1/auth/login').send({ email: account.email, password: NEW_PASSWORD }).expect(200);
      await request(app).post('/api/v1/auth/password-reset/confirm').send({ token: fresh, password: NEW_PASSWORD }).expect(410);
    });
  });

  it('resends the verification mail to an unconfirmed account only', async () => {
    const email = uniqueEmail('resend');
    const res = await request(app).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD, displayName: 'Rosa' }).expect(201);
    const before = smtp.messages.length;
    await request(app).post('/api/v1/auth/verify-email/resend').set(...auth(res.body.token)).expect(202);
    expect(smtp.messages.length).to.equal(before + 1);
    const token = linkTokenFrom(smtp.lastTo(email), 'threadline-verify-email');
    await request(app).post('/api/v1/auth/verify-email').set(...auth(res.body.token)).send({ token }).expect(200);
    await request(app).post('/api/v1/auth/verify-email/resend').set(...auth(res.body.token)).expect(409);
    await request(app).post('/api/v1/auth/verify-email/resend').expect(401);
  });

  it('changes the display name, also on earlier comments, and refuses bad names', async () => {
    const account = await register();
    const site = await createTestSite();
    await request(app).post(threadPath(site.id, 'rename')).set(...auth(account.token)).send({ body: 'Before the new name.' }).expect(201);
    const res = await request(app).patch('/api/v1/me').set(...auth(account.token)).send({ displayName: 'Lena Renamed' }).expect(200);
    expect(res.body.displayName).to.equal('Lena Renamed');
    const stored = await CommentModel.findOne({ 'author.id': account.user.id }).lean();
    expect(stored?.author.displayName).to.equal('Lena Renamed');
    await request(app).patch('/api/v1/me').set(...auth(account.token)).send({ displayName: 'x\u202Ey' }).expect(400);
    await request(app).patch('/api/v1/me').set(...auth(account.token)).send({}).expect(400);
  });

  it('changes the email address only once the new one is confirmed', async () => {
    const account = await register();
    const next = uniqueEmail('moved');
    await request(app).post('/api/v1/me/email').set(...auth(account.token)).send({ email: next }).expect(403);
    await request(app)
      .post('/api/v1/me/email')
      .set(...auth(account.token))
      .send({ email: next, currentPassword: STRONG_PASSWORD })
      .expect(202);
    expect(smtp.lastTo(account.email).subject).to.match(/new email address was requested/);
    const me = await request(app).get('/api/v1/auth/me').set(...auth(account.token)).expect(200);
    expect(me.body.email, 'unchanged until confirmed').to.equal(account.email);

    const token = linkTokenFrom(smtp.lastTo(next), 'threadline-change-email');
    const confirmed = await request(app).post('/api/v1/auth/change-email/confirm').send({ token }).expect(200);
    expect(confirmed.body.user).to.include({ email: next, emailVerified: true });
    await request(app).post('/api/v1/auth/login').send({ email: next, password: STRONG_PASSWORD }).expect(200);
    await request(app).post('/api/v1/auth/login').send({ email: account.email, password: STRONG_PASSWORD }).expect(401);
    expect(await IdentityModel.exists({ _id: `email:${account.email}` }), 'the old address is free again').to.equal(null);

    const other = await register();
    await request(app)
      .post('/api/v1/me/email')
      .set(...auth(other.token))
      .send({ email: next, currentPassword: STRONG_PASSWORD })
      .expect(409);
  });

  it('sets a password on a link-only account, and needs the current one to change it', async () => {
    const email = uniqueEmail('linkonly');
    await request(app).post('/api/v1/auth/email-link').send({ email }).expect(202);
    const linked = await request(app)
      .post('/api/v1/auth/email-link/verify')
      .send({ token: linkTokenFrom(smtp.lastTo(email), 'threadline-email-link') })
      .expect(200);
    const set = await request(app).put('/api/v1/me/password').set(...auth(linked.body.token)).send({ password: NEW_PASSWORD }).expect(200);
    await request(app).get('/api/v1/auth/me').set(...auth(linked.body.token)).expect(401);
    await request(app).post('/api/v1/auth/login').send({ email, password: NEW_PASSWORD }).expect(200);
    await request(app).put('/api/v1/me/password').set(...auth(set.body.token)).send({ password: STRONG_PASSWORD }).expect(403);
    await request(app)
      .put('/api/v1/me/password')
      .set(...auth(set.body.token))
      .send({ password: STRONG_PASSWORD, currentPassword: NEW_PASSWORD })
      .expect(200);
  });

  it('signs out everywhere', async () => {
    const account = await register();
    const second = await request(app).post('/api/v1/auth/login').send({ email: account.email, password: STRONG_PASSWORD }).expect(200);
    await request(app).post('/api/v1/auth/logout-everywhere').set(...auth(account.token)).expect(204);
    await request(app).get('/api/v1/auth/me').set(...auth(account.token)).expect(401);
    await request(app).get('/api/v1/auth/me').set(...auth(second.body.token)).expect(401);
  });

  it('reaches comments from before authorId: by author.id until the backfill has run, by the indexed authorId after', async () => {
    const account = await register();
    const site = await createTestSite();
    const authorId = new Types.ObjectId(account.user.id);
    // As an older version left them: no authorId, no queue places.
    const legacy = [1, 2].map((day) => {
      const _id = new Types.ObjectId();
      const at = new Date(Date.UTC(2020, 0, day));
      return {
        _id,
        siteId: new Types.ObjectId(site.id),
        articleId: 'before-author-ids',
        parentId: null,
        rootId: _id,
        ancestors: [],
        depth: 0,
        author: { id: authorId, displayName: 'Lena Life', guestEmail: null, guestWebsite: null, accountDeleted: false },
        body: `Written on day ${day}.`,
        html: `<p>Written on day ${day}.</p>`,
        status: 'approved',
        reasons: [],
        notifyReplies: true,
        createdAt: at,
        updatedAt: at,
      };
    });
    await CommentModel.collection.insertMany(legacy);
    const ids = legacy.map((c) => String(c._id));
    const stored = async () => CommentModel.find({ articleId: 'before-author-ids' }).sort({ createdAt: 1 }).lean();

    // A database whose backfill has not run (or not finished) yet.
    await QueueCounterModel.deleteOne({ _id: QUEUE_PLACES_BACKFILLED });
    forgetAuthorIdsComplete();
    try {
      await request(app).patch('/api/v1/me').set(...auth(account.token)).send({ displayName: 'Lena Early' }).expect(200);
      expect((await stored()).map((c) => c.author.displayName)).to.deep.equal(['Lena Early', 'Lena Early']);
    } finally {
      await backfillQueuePlaces(testLogger);
    }
    expect((await stored()).map((c) => String(c.authorId))).to.deep.equal([account.user.id, account.user.id]);

    // Once it has: every query for one author's comments filters on authorId, never on the dotted path
    // FerretDB cannot push down.
    const authorFilters: string[] = [];
    mongoose.set('debug', (collection: string, _method: string, filter?: unknown) => {
      if (collection !== CommentModel.collection.collectionName || !filter || typeof filter !== 'object') return;
      for (const [field, value] of Object.entries(filter)) {
        if (value instanceof Types.ObjectId && value.equals(authorId)) authorFilters.push(field);
      }
    });
    try {
      await request(app).patch('/api/v1/me').set(...auth(account.token)).send({ displayName: 'Lena Later' }).expect(200);
      expect((await stored()).map((c) => c.author.displayName)).to.deep.equal(['Lena Later', 'Lena Later']);
      await setOnCommentsOfAuthor(authorId, { notifyReplies: false }, { notifyReplies: true });
      expect((await stored()).map((c) => c.notifyReplies)).to.deep.equal([false, false]);
      const exported = await request(app).get('/api/v1/me/export').set(...auth(account.token)).expect(200);
      expect(JSON.parse(exported.text).comments.map((c: { id: string }) => c.id)).to.include.members(ids);
      await request(app).delete('/api/v1/me').set(...auth(account.token)).send({ password: STRONG_PASSWORD }).expect(204);
    } finally {
      mongoose.set('debug', false);
    }
    const after = await stored();
    expect(after.map((c) => [c.status, c.author.id, c.authorId, c.author.displayName])).to.deep.equal([
      ['deleted', null, null, 'deleted account'],
      ['deleted', null, null, 'deleted account'],
    ]);
    expect(authorFilters.length).to.be.greaterThan(3);
    expect(new Set(authorFilters)).to.deep.equal(new Set(['authorId']));
  });

  describe('your data', () => {
    it('exports everything held about the caller as a JSON download, and nothing of others', async () => {
      const account = await register();
      const site = await createTestSite();
      const other = await createTestUser();
      const mine = await request(app).post(threadPath(site.id, 'export')).set(...auth(account.token)).send({ body: 'My own words.' }).expect(201);
      const theirs = await request(app).post(threadPath(site.id, 'export')).set(...auth(other.token)).send({ body: 'Their words.' }).expect(201);
      await request(app).put(`/api/v1/comments/${theirs.body.id}/vote`).set(...auth(account.token)).send({ value: 1 }).expect(200);

      const res = await request(app).get('/api/v1/me/export').set(...auth(account.token)).expect(200);
      expect(res.headers['content-disposition']).to.match(/^attachment; filename="?threadline-my-data\.json"?$/);
      const data = JSON.parse(res.text);
      expect(data.account).to.include({ id: account.user.id, email: account.email, hasPassword: true });
      expect(JSON.stringify(data)).to.not.match(/argon2/);
      expect(data.comments.map((c: { id: string }) => c.id)).to.deep.equal([mine.body.id]);
      expect(data.comments[0].body).to.equal('My own words.');
      expect(data.votes).to.deep.equal([{ commentId: theirs.body.id, value: 1 }]);
      expect(data.signInIdentities).to.deep.equal([`email:${account.email}`]);
      await request(app).get('/api/v1/me/export').expect(401);
    });

    it('deletes the account: tombstones signed "deleted account", replies kept, email erased, sessions ended', async () => {
      const account = await register();
      const site = await createTestSite();
      const replier = await createTestUser();
      const root = await request(app).post(threadPath(site.id, 'delete-me')).set(...auth(account.token)).send({ body: 'Soon gone.' }).expect(201);
      const reply = await request(app)
        .post(threadPath(site.id, 'delete-me'))
        .set(...auth(replier.token))
        .send({ body: 'A reply that stays.', parentId: root.body.id })
        .expect(201);

      await request(app).delete('/api/v1/me').set(...auth(account.token)).send({}).expect(403);
      await request(app).delete('/api/v1/me').set(...auth(account.token)).send({ password: 'not-the-password-1' }).expect(403);
      await request(app).delete('/api/v1/me').set(...auth(account.token)).send({ password: STRONG_PASSWORD }).expect(204);

      await request(app).get('/api/v1/auth/me').set(...auth(account.token)).expect(401);
      await request(app).post('/api/v1/auth/login').send({ email: account.email, password: STRONG_PASSWORD }).expect(401);
      const stored = await UserModel.findById(account.user.id).select('+passwordHash').lean();
      expect(stored?.email).to.equal(undefined);
      expect(stored?.passwordHash).to.equal(undefined);
      expect(JSON.stringify(await CommentModel.find({ body: 'Soon gone.' }).lean())).to.equal('[]');

      const thread = await request(app).get(threadPath(site.id, 'delete-me')).expect(200);
      const tombstone = thread.body.comments[0];
      expect(tombstone).to.include({ id: root.body.id, status: 'deleted', body: '' });
      expect(tombstone.author).to.deep.equal({ id: null, displayName: 'deleted account', guest: false });
      expect(tombstone.replies.map((r: { id: string }) => r.id)).to.deep.equal([reply.body.id]);
      // The address may register again, as a new account.
      await request(app).post('/api/v1/auth/register').send({ email: account.email, password: STRONG_PASSWORD, displayName: 'Back' }).expect(201);
    });
  });
});
