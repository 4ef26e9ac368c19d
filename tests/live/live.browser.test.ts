import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { publishChange } from '../../src/changes/feed';
import { CommentModel } from '../../src/comments/comment.model';
import { createTestUser, type TestUser } from '../support/fixtures';
import { useChromiumStack, type WidgetStack } from '../widget/browserStack';

const ARTICLE = 'live-two-browsers';

describe('readers: live threads in two Chromium browsers', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  // Registered first, so it runs before the shared teardown closes the browser.
  after(async () => {
    for (const context of contexts) await context.close();
  });
  useChromiumStack({}, { started: (started) => ({ stack, browser } = started) });

  /** A separate browser profile, signed in to the widget as `user`. */
  async function readerPage(user: TestUser): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    const session = { token: user.token, user: { id: user.id, displayName: user.displayName, role: 'commenter', emailVerified: true, banned: false } };
    await context.addInitScript(
      ([key, value]) => sessionStorage.setItem(key, value),
      [`threadline:session:${stack.serviceUrl}`, JSON.stringify(session)] as const,
    );
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(stack.articleUrl(ARTICLE));
    await page.getByLabel('Add a comment').waitFor();
    return page;
  }

  /** Posts through the widget, then stands in for the comment service's publish of the landed write. */
  async function postThroughWidget(page: Page, text: string): Promise<void> {
    await page.getByLabel('Add a comment').fill(text);
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('#comments').getByText(text).waitFor();
    const stored = await CommentModel.findOne({ body: text }).lean();
    expect(stored?.status).to.equal('approved');
    await publishChange({ type: 'comment.created', siteId: stack.siteId, articleId: ARTICLE, commentId: String(stored?._id), status: 'approved' });
  }

  it('shows each reader the other one\'s comment after a click on "1 new comment", without reloading the page', async () => {
    const alice = await readerPage(await createTestUser({ displayName: 'Alice Live' }));
    const bruno = await readerPage(await createTestUser({ displayName: 'Bruno Live' }));
    await alice.evaluate(() => {
      (window as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    await postThroughWidget(alice, 'Alice says the ferry is late again.');
    const brunoBanner = bruno.locator('#comments').getByRole('button', { name: '1 new comment' });
    await brunoBanner.waitFor();
    expect(await bruno.locator('#comments').getByText('Alice says the ferry is late again.').count()).to.equal(0);
    expect(await alice.locator('#comments button.live').isVisible(), 'her own comment is not counted').to.equal(false);
    await brunoBanner.click();
    await bruno.locator('#comments').getByText('Alice says the ferry is late again.').waitFor();

    await postThroughWidget(bruno, 'Bruno answers: it left on time today.');
    const aliceBanner = alice.locator('#comments').getByRole('button', { name: '1 new comment' });
    await aliceBanner.waitFor();
    await aliceBanner.click();
    await alice.locator('#comments').getByText('Bruno answers: it left on time today.').waitFor();
    expect(await alice.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).to.equal(true);
  });
});
