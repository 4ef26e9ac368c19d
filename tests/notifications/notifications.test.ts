import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { publishChange, subscribeChanges, type Change } from '../../src/changes/feed';
import { CommentModel } from '../../src/comments/comment.model';
import { createMailer } from '../../src/mail/mailer';
import { sendNotificationDigests } from '../../src/notifications/digest';
import { NotificationModel } from '../../src/notifications/notification.model';
import { queueNotifications } from '../../src/notifications/queue';
import { testApp, testConfig, testLogger } from '../support/app';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../support/smtpServer';
import { bearer, threadPath } from '../comments/helpers';

const HOUR = 3600_000;

describe('readers: reply and queue notifications by email', () => {
  let smtp: TestSmtpServer;
  let app: Express;
  let config: ReturnType<typeof testConfig>;
  let stopListening: () => void;
  const queued: Promise<void>[] = [];

  before(async () => {
    smtp = await startSmtpServer();
    config = testConfig({ SMTP_URL: smtp.url, NOTIFY_BATCH_SECONDS: '3600' });
    app = testApp({ SMTP_URL: smtp.url });
    // The service hears the change feed once per instance; here the test is that instance.
    stopListening = subscribeChanges((change) => {
      const done = queueNotifications(change);
      queued.push(done);
      return done;
    });
  });
  after(async () => {
    stopListening();
    await smtp.close();
  });

  const mailer = () => createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, production: false }, testLogger);
  /** What the comment routes publish once a comment lands (the `app` helper wires these into the services). */
  async function published(change: Omit<Change, 'at'>): Promise<void> {
    await publishChange(change);
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(queued.splice(0));
  }
  const mailsTo = (user: TestUser): ReceivedMail[] => smtp.messages.filter((m) => m.to.includes(user.email));

  async function postAs(user: TestUser, siteId: string, article: string, body: Record<string, unknown>): Promise<{ id: string; status: string }> {
    const res = await request(app).post(threadPath(siteId, article)).set(...bearer(user)).send(body).expect(201);
    await published({ type: 'comment.created', siteId, articleId: article, commentId: res.body.id, status: res.body.status });
    return res.body;
  }

  it('mails a reply only after it is approved, batched to one mail per window, with one-click unsubscribe', async () => {
    const site = await createTestSite({ premoderation: 'all' });
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
    const author = await createTestUser();
    const replier = await createTestUser({ displayName: 'Ravi Replier' });

    const root = await postAs(author, site.id, 'notify', { body: 'Tell me what you think.', notifyReplies: true });
    const approve = async (id: string): Promise<void> => {
      await request(app).post(`/api/v1/comments/${id}/approve`).set(...bearer(moderator)).send({}).expect(200);
      await published({ type: 'comment.approved', siteId: site.id, articleId: 'notify', commentId: id, status: 'approved', previousStatus: 'pending' });
    };
    await approve(root.id);

    const reply = await postAs(replier, site.id, 'notify', { body: 'I think the ferry should run later.', parentId: root.id });
    expect(reply.status).to.equal('pending');
    const now = Date.now();
    await sendNotificationDigests(config, mailer(), testLogger, new Date(now));
    expect(mailsTo(author), 'a held reply is not mailed').to.have.length(0);

    await approve(reply.id);
    await sendNotificationDigests(config, mailer(), testLogger, new Date(now));
    expect(mailsTo(author)).to.have.length(1);
    const mail = mailsTo(author)[0];
    expect(mail.subject).to.equal('1 new reply to your comments');
    expect(mail.text).to.contain('Ravi Replier replied');
    expect(mail.text).to.contain('the ferry should run later');

    // Two more replies in the same window wait for the next one, and then travel together.
    for (const text of ['Second thought on the ferry.', 'Third thought on the ferry.']) {
      const more = await postAs(replier, site.id, 'notify', { body: text, parentId: root.id });
      await approve(more.id);
    }
    await sendNotificationDigests(config, mailer(), testLogger, new Date(now));
    expect(mailsTo(author), 'one mail per window').to.have.length(1);
    await sendNotificationDigests(config, mailer(), testLogger, new Date(now + HOUR));
    expect(mailsTo(author)).to.have.length(2);
    expect(mailsTo(author)[1].subject).to.equal('2 new replies to your comments');

    const unsubscribe = /^<(.+)>$/.exec(mail.headers['list-unsubscribe'] ?? '')?.[1] ?? '';
    expect(unsubscribe).to.match(/^http:\/\/threadline\.test\/notifications\/unsubscribe\?/);
    expect(mail.headers['list-unsubscribe-post']).to.equal('List-Unsubscribe=One-Click');
    expect(mail.text).to.contain(unsubscribe);
    const path = unsubscribe.replace('http://threadline.test', '');

    const page = await request(app).get(path).expect(200);
    expect(page.text).to.contain('<form method="post"');
    expect((await CommentModel.findById(root.id).lean())?.notifyReplies, 'a GET changes nothing').to.equal(true);
    await request(app).post(path.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).type('form').send('List-Unsubscribe=One-Click').expect(403);
    // The mail client's one-click POST: no session, no JSON.
    await request(app).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
    expect((await CommentModel.findById(root.id).lean())?.notifyReplies).to.equal(false);

    const after = await postAs(replier, site.id, 'notify', { body: 'Nobody will mail this one.', parentId: root.id });
    await approve(after.id);
    expect(await NotificationModel.exists({ _id: `reply:${after.id}:${author.id}` })).to.equal(null);
  });

  it('mails nothing to readers who did not opt in, to unconfirmed addresses, or for their own replies', async () => {
    const site = await createTestSite();
    const quiet = await createTestUser();
    const unconfirmed = await createTestUser({ emailVerified: false });
    const self = await createTestUser();
    const other = await createTestUser();
    const a = await postAs(quiet, site.id, 'quiet', { body: 'No mail for me.' });
    const b = await postAs(unconfirmed, site.id, 'quiet', { body: 'I never confirmed.', notifyReplies: true });
    const c = await postAs(self, site.id, 'quiet', { body: 'Talking to myself.', notifyReplies: true });
    await postAs(other, site.id, 'quiet', { body: 'Reply one.', parentId: a.id });
    await postAs(other, site.id, 'quiet', { body: 'Reply two.', parentId: b.id });
    await postAs(self, site.id, 'quiet', { body: 'Reply to me.', parentId: c.id });
    for (const user of [quiet, unconfirmed, self]) {
      expect(await NotificationModel.countDocuments({ recipientId: user.id })).to.equal(0);
    }
  });

  it('follows the account-wide setting (PATCH /me notifyReplies)', async () => {
    const site = await createTestSite();
    const reader = await createTestUser();
    const other = await createTestUser();
    await request(app).patch('/api/v1/me').set(...bearer(reader)).send({ notifyReplies: true }).expect(200);
    const root = await postAs(reader, site.id, 'account-wide', { body: 'No per-comment choice made.' });
    const reply = await postAs(other, site.id, 'account-wide', { body: 'A reply all the same.', parentId: root.id });
    expect(await NotificationModel.exists({ _id: `reply:${reply.id}:${reader.id}` })).to.not.equal(null);
  });

  it('tells moderators who opted in about new queue items, with their own unsubscribe link', async () => {
    const site = await createTestSite({ premoderation: 'all' });
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [site.id] });
    const elsewhere = await createTestUser({ role: 'moderator', moderatedSiteIds: [] });
    const reader = await createTestUser();
    await request(app).patch('/api/v1/me').set(...bearer(reader)).send({ notifyQueue: true }).expect(400);
    for (const mod of [moderator, elsewhere]) await request(app).patch('/api/v1/me').set(...bearer(mod)).send({ notifyQueue: true }).expect(200);
    await postAs(reader, site.id, 'queue-mail', { body: 'Waiting for a moderator.' });
    await sendNotificationDigests(config, mailer(), testLogger);
    const mails = mailsTo(moderator);
    expect(mails).to.have.length(1);
    expect(mails[0].subject).to.equal('1 new item to moderate');
    expect(mails[0].headers['list-unsubscribe']).to.contain('s=queue');
    expect(mailsTo(elsewhere), 'only the site moderators').to.have.length(0);
  });
});
