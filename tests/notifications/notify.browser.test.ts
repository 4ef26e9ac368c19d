import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { UserModel } from '../../src/accounts/user.model';
import { publishChange } from '../../src/changes/feed';
import { CommentModel } from '../../src/comments/comment.model';
import { startNotifications } from '../../src/notifications/digest';
import { testConfig, testLogger } from '../support/app';
import { createTestUser, type TestUser } from '../support/fixtures';
import type { ReceivedMail } from '../support/smtpServer';
import { useChromiumStack, type WidgetStack } from '../widget/browserStack';

describe('readers: reply notification mail in Chromium', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let browser: Browser;
  let stopNotifications: () => void;

  // Registered first, so that the notifications stop before the shared teardown stops the stack.
  after(() => {
    stopNotifications?.();
  });
  useChromiumStack({}, { started: (started) => ({ stack, browser } = started) });

  before(async () => {
    // What the service starts once per instance: hear the change feed, send batches every second here.
    stopNotifications = startNotifications(
      testConfig({ SMTP_URL: stack.smtp.url, PUBLIC_URL: stack.serviceUrl, NOTIFY_FLUSH_SECONDS: '1', NOTIFY_BATCH_SECONDS: '60' }),
      testLogger,
    );
  });

  async function postAs(user: TestUser, body: Record<string, unknown>): Promise<{ id: string; status: string }> {
    const res = await fetch(`${stack.serviceUrl}/api/v1/sites/${stack.siteId}/articles/notify-browser/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${user.token}` },
      body: JSON.stringify(body),
    });
    expect(res.status).to.equal(201);
    const comment = (await res.json()) as { id: string; status: string };
    // The comment services publish this once the write lands; the test stands in for them here.
    await publishChange({ type: 'comment.created', siteId: stack.siteId, articleId: 'notify-browser', commentId: comment.id, status: comment.status });
    return comment;
  }

  async function mailFor(address: string): Promise<ReceivedMail> {
    for (let i = 0; i < 100; i += 1) {
      const found = stack.smtp.messages.find((m) => m.to.includes(address));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no mail reached ${address}`);
  }

  it('delivers the reply to the local SMTP server, and its unsubscribe link works without signing in', async () => {
    const author = await createTestUser({ displayName: 'Ada Author' });
    const replier = await createTestUser({ displayName: 'Rui Replier' });
    const root = await postAs(author, { body: 'Will the night market move again?', notifyReplies: true });
    await postAs(replier, { body: 'Only if the rope works are sold.', parentId: root.id });

    const mail = await mailFor(author.email);
    expect(mail.subject).to.equal('1 new reply to your comments');
    expect(mail.text).to.contain('Rui Replier replied');
    expect(mail.headers['list-unsubscribe-post']).to.equal('List-Unsubscribe=One-Click');
    const link = /^<(.+)>$/.exec(mail.headers['list-unsubscribe'] ?? '')?.[1];
    expect(link).to.be.a('string');

    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(link as string);
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'Unsubscribed' }).waitFor();
    await context.close();
    expect((await CommentModel.findById(root.id).lean())?.notifyReplies).to.equal(false);
    expect((await UserModel.findById(author.id).lean())?.notifyReplies).to.equal(false);
  });
});
