import { expect } from 'chai';
import { Types } from 'mongoose';
import type { Browser, Page } from 'playwright-core';
import { CommentModel } from '../../src/comments/comment.model';
import { createTestUser, type TestUser } from '../support/fixtures';
import { insertComment } from '../moderation/helpers';
import { useChromiumStack, type WidgetStack } from '../widget/browserStack';
import { axeViolations } from '../widget/widgetFixtures';
import { openConsole } from './consoleSupport';

/**
 * axe-core (WCAG 2.0/2.1/2.2 A and AA rules) over the whole console page: the queue, the settings page with
 * people found, and a commenter's record, at desktop and phone width. The console's CSP forbids inline
 * script, so these tabs bypass it to load axe-core; nothing else differs.
 */
describe('moderator console accessibility (axe-core in Chromium)', function () {
  this.timeout(180_000);
  let stack: WidgetStack;
  let browser: Browser;
  let admin: TestUser;
  let author: TestUser;

  useChromiumStack(
    { site: { premoderation: 'all', suspectWords: ['casino'] } },
    { started: (started) => ({ stack, browser } = started) },
  );

  before(async () => {
    admin = await createTestUser({ role: 'admin', displayName: 'Ada Audit' });
    author = await createTestUser({ displayName: 'Rory Reader' });
    const parent = await insertComment(stack.siteId, { status: 'approved', body: 'The parent remark about the quay.', authorId: author.id });
    const held = await insertComment(stack.siteId, {
      body: 'Try the casino by the quay.',
      authorId: author.id,
      reasons: [{ code: 'premoderation' }],
    });
    await CommentModel.updateOne(
      { _id: held },
      { $set: { parentId: new Types.ObjectId(parent), reasons: [{ code: 'suspect-word', detail: 'casino', matches: [{ start: 8, end: 14 }] }] } },
    );
    await insertComment(stack.siteId, { body: 'A second held remark.', displayName: 'Guest Gale' });
  });

  const pages: { name: string; hash: () => string; ready: (page: Page) => Promise<void> }[] = [
    {
      name: 'queue',
      hash: () => `#/site/${stack.siteId}/queue/pending`,
      ready: async (page) => {
        await page.locator('.item').nth(1).waitFor();
      },
    },
    {
      name: 'settings, with people found',
      hash: () => `#/site/${stack.siteId}/settings`,
      ready: async (page) => {
        await page.getByLabel('Find a person by email or name').fill('Rory');
        await page.getByRole('button', { name: 'Find', exact: true }).click();
        await page.getByRole('button', { name: 'Make Rory Reader a moderator' }).waitFor();
      },
    },
    {
      name: "a commenter's record",
      hash: () => `#/site/${stack.siteId}/user/${author.id}`,
      ready: async (page) => {
        await page.getByRole('heading', { name: 'Recent comments' }).waitFor();
      },
    },
  ];

  for (const width of [1280, 360]) {
    for (const view of pages) {
      it(`${view.name} at ${width} px: no violation`, async () => {
        const { context, page } = await openConsole(browser, stack, admin, view.hash(), width, { bypassCSP: true });
        try {
          await view.ready(page);
          expect(await axeViolations(page, 'html'), 'axe-core').to.deep.equal([]);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('the audit can fail: an unlabelled field and an image without text are reported', async () => {
    const { context, page } = await openConsole(browser, stack, admin, `#/site/${stack.siteId}/queue/pending`, 1280, { bypassCSP: true });
    try {
      await page.locator('.item').first().waitFor();
      await page.evaluate(() => {
        const main = document.querySelector('main');
        main?.append(Object.assign(document.createElement('input'), { type: 'text' }), Object.assign(document.createElement('img'), { src: 'data:,' }));
      });
      const ids = (await axeViolations(page, 'html')).map((violation) => violation.id);
      expect(ids).to.include.members(['label', 'image-alt']);
    } finally {
      await context.close();
    }
  });
});
