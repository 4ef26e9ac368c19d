import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser, BrowserContext, Dialog, Page } from 'playwright-core';
import { useChromiumStack, type WidgetStack } from './browserStack';

const ARTICLE = 'night-market-rope-works';
const HELD_WORD = 'lanternfish';

/** Every payload tries to set this flag or open a dialog; neither may ever happen. */
const XSS_CORPUS = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<svg onload="window.__pwned = \'svg\'"><circle r="4"/></svg>',
  '[click me](javascript:window.__pwned=\'md-link\')',
  '<a href="javascript:alert(1)">plain link</a>',
  '<div onmouseover="alert(2)" style="position:fixed;inset:0">cover</div>',
  '<iframe src="javascript:alert(3)"></iframe>',
  '"><script>alert(4)</script><b x="',
  '<img src="x" onerror=alert(5)//',
  '<<script>alert(6)//<</script>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(7)>',
  '<details open ontoggle="window.__pwned=\'details\'">x</details>',
];

async function widgetStatus(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('#comments .status').filter({ hasText: text }).waitFor();
}

/** Requests a link, then opens it in a new tab as a mail client would; returns that tab. */
async function signInByEmailLink(page: Page, stack: WidgetStack, email: string): Promise<Page> {
  await page.goto(stack.articleUrl(ARTICLE));
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send link' }).click();
  await widgetStatus(page, 'Check your email');
  const mail = stack.smtp.lastTo(email);
  const link = /https?:\/\/\S+#threadline-email-link=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
  expect(link, 'the mail carries a sign-in link').to.be.a('string');
  expect(link?.startsWith(stack.articleUrl(ARTICLE)), 'the link returns to the article').to.equal(true);
  const tab = await page.context().newPage();
  tab.setDefaultTimeout(10_000);
  await tab.goto(link as string);
  await widgetStatus(tab, /Signed in as/);
  expect(tab.url(), 'the token leaves the address bar').not.to.include('threadline-email-link');
  await page.close();
  return tab;
}

async function postComment(page: Page, text: string): Promise<void> {
  await page.getByLabel('Add a comment').fill(text);
  await page.getByRole('button', { name: 'Post comment' }).click();
}

describe('embedded widget in Chromium', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let browser: Browser;
  let reader: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  const watchDialogs = (target: Page): void => {
    target.on('dialog', (dialog: Dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  };
  const readerEmail = `night-owl-${Date.now().toString(36)}@example.test`;

  useChromiumStack(
    { site: { suspectWords: [HELD_WORD] } },
    {
      started: (started) => ({ stack, browser } = started),
    },
  );

  before(async () => {
    reader = await browser.newContext();
    page = await reader.newPage();
    page.setDefaultTimeout(10_000);
    watchDialogs(page);
  });

  it('renders an empty thread inside a shadow root, untouched by the host page CSS', async () => {
    await page.goto(stack.articleUrl(ARTICLE));
    await page.getByRole('heading', { name: '0 comments' }).waitFor();
    const look = await page.evaluate(() => {
      const host = document.querySelector('#comments');
      const button = host?.shadowRoot?.querySelector('button');
      if (!button) return null;
      const style = getComputedStyle(button);
      return { display: style.display, color: style.color };
    });
    expect(look).to.not.equal(null);
    expect(look?.display).to.not.equal('none');
    expect(look?.color).to.not.equal('rgb(255, 0, 0)');
  });

  it('signs in with an emailed link that returns to the article', async () => {
    page = await signInByEmailLink(page, stack, readerEmail);
    watchDialogs(page);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('posts a comment, announces it and moves focus to it', async () => {
    await postComment(page, 'Finally somewhere with a roof for the dumpling stall.');
    await widgetStatus(page, 'Your comment was posted.');
    await page.getByRole('heading', { name: '1 comment' }).waitFor();
    const focused = await page.evaluate(() => document.querySelector('#comments')?.shadowRoot?.activeElement?.id ?? '');
    expect(focused).to.match(/^tl-comment-/);
    const time = page.locator('#comments article time').first();
    expect(await time.textContent()).to.equal('just now');
    expect(await time.getAttribute('datetime')).to.match(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('replies to a comment in an indented reply list', async () => {
    await page.getByRole('button', { name: /^Reply to/ }).first().click();
    await page.getByRole('textbox', { name: /^Reply to/ }).fill('Is the rope works car park open late?');
    await page.getByRole('button', { name: 'Post reply' }).click();
    await widgetStatus(page, 'Your comment was posted.');
    const reply = page.locator('#comments ol.replies.indent > li.comment article').filter({ hasText: 'car park open late' });
    await reply.waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '2 comments' }).waitFor();
    await page.locator('#comments ol.replies > li.comment').filter({ hasText: 'car park open late' }).waitFor();
  });

  it('shows the reader their own held comment as awaiting moderation', async () => {
    await postComment(page, `Bring back the ${HELD_WORD} fritters from last year.`);
    await widgetStatus(page, 'held for moderation');
    const held = page.locator('#comments article[data-status="pending"]').filter({ hasText: 'fritters' });
    await held.getByText('Awaiting moderation').waitFor();
    await page.reload();
    await page.locator('#comments article[data-status="pending"]').filter({ hasText: 'fritters' }).waitFor();
    await page.getByRole('heading', { name: '2 comments' }).waitFor();
  });

  it('runs nothing from an XSS corpus posted as comments', async () => {
    for (const payload of XSS_CORPUS) {
      await postComment(page, payload);
      await widgetStatus(page, /posted|held for moderation/);
      // The next post must not be mistaken for this one's announcement.
      await page.evaluate(() => {
        const status = document.querySelector('#comments')?.shadowRoot?.querySelector('.status');
        if (status) status.textContent = '';
      });
    }
    await page.reload();
    await page.getByRole('heading', { name: /comments$/ }).waitFor();
    await page.locator('#comments article').filter({ hasText: 'plain link' }).first().waitFor();
    await page.locator('#comments article').filter({ hasText: 'cover' }).first().hover();
    await page.locator('#comments a').first().click({ modifiers: [] }).catch(() => undefined);
    const inserted = await page.evaluate(() => {
      const root = document.querySelector('#comments')?.shadowRoot;
      const pwned = (window as unknown as { __pwned?: unknown }).__pwned ?? null;
      if (!root) return { pwned, dangerous: -1, scriptText: false };
      const dangerous = root.querySelectorAll(
        'script, iframe, svg, img, math, details:not(.help), [onerror], [onload], [onmouseover], [ontoggle], [style], a[href^="javascript:" i]',
      ).length;
      return { pwned, dangerous, scriptText: root.textContent?.includes('<script>') ?? false };
    });
    expect(inserted.pwned).to.equal(null);
    expect(inserted.dangerous).to.equal(0);
    expect(inserted.scriptText, 'payloads show as text').to.equal(true);
    expect(dialogs).to.deep.equal([]);
  });

  describe('a second reader signing in with Facebook', () => {
    let facebookPage: Page;

    before(async () => {
      const context = await browser.newContext();
      facebookPage = await context.newPage();
      facebookPage.setDefaultTimeout(10_000);
      watchDialogs(facebookPage);
    });

    it('signs in through the popup', async () => {
      stack.oauth.setProfile({ id: '7001', name: 'Marta Quayside', email: 'marta@example.test' });
      await facebookPage.goto(stack.articleUrl(ARTICLE));
      const [popup] = await Promise.all([
        facebookPage.waitForEvent('popup'),
        facebookPage.getByRole('button', { name: 'Continue with Facebook' }).click(),
      ]);
      await popup.waitForEvent('close');
      await widgetStatus(facebookPage, 'Marta Quayside');
      await facebookPage.getByRole('button', { name: 'Sign out' }).waitFor();
    });

    it('ignores a session posted by any origin other than the service', async () => {
      await facebookPage.evaluate(() =>
        window.postMessage({ type: 'threadline:auth', token: 'forged', user: { id: 'x', displayName: 'Mallory' } }, '*'),
      );
      await facebookPage.getByText('Signed in as').first().waitFor();
      expect(await facebookPage.locator('#comments').getByText('Mallory').count()).to.equal(0);
    });

    it('votes a comment up, and a second click takes the vote back', async () => {
      const comment = facebookPage.locator('#comments article').filter({ hasText: 'dumpling stall' });
      const upvote = comment.getByRole('button', { name: /^Upvote/ });
      await upvote.click();
      await comment.locator('.score', { hasText: /^1$/ }).waitFor();
      expect(await upvote.getAttribute('aria-pressed')).to.equal('true');
      await upvote.click();
      await comment.locator('.score', { hasText: /^0$/ }).waitFor();
      expect(await upvote.getAttribute('aria-pressed')).to.equal('false');
    });

    it('reports a comment with a reason', async () => {
      const comment = facebookPage.locator('#comments article').filter({ hasText: 'dumpling stall' });
      await comment.getByRole('button', { name: /^Report/ }).click();
      await facebookPage.getByLabel('Why should a moderator look at this?').selectOption('off-topic');
      await facebookPage.getByRole('button', { name: 'Send report' }).click();
      await widgetStatus(facebookPage, 'A moderator will review this comment.');
    });

    it('does not show the first reader\'s held comment to anyone else', async () => {
      await facebookPage.reload();
      await facebookPage.locator('#comments article').filter({ hasText: 'dumpling stall' }).waitFor();
      expect(await facebookPage.locator('#comments article').filter({ hasText: 'fritters' }).count()).to.equal(0);
    });

    it('signs out', async () => {
      await facebookPage.getByRole('button', { name: 'Sign out' }).click();
      await widgetStatus(facebookPage, 'You are signed out.');
      await facebookPage.getByRole('button', { name: 'Continue with Facebook' }).waitFor();
      await facebookPage.reload();
      await facebookPage.getByRole('button', { name: 'Continue with Facebook' }).waitFor();
    });
  });

  it('fills the comment count on the host page', async () => {
    await page.goto(stack.articleUrl(ARTICLE));
    const count = page.locator('#count');
    await count.filter({ hasText: /\d+ comments?/ }).waitFor();
    expect(Number(await count.getAttribute('data-comment-count-value'))).to.be.greaterThan(2);
  });

  it('renders the demo article under the strict CSP and saves a screenshot', async () => {
    const demo = await reader.newPage();
    const violations: string[] = [];
    demo.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await demo.setViewportSize({ width: 1000, height: 1400 });
    await demo.goto(`${stack.serviceUrl}/demo`);
    await demo.getByRole('heading', { name: /\d+ comments?$/ }).waitFor();
    await demo.locator('[data-comment-count]').filter({ hasText: /\d+ comments?/ }).waitFor();
    const styled = await demo.evaluate(() => {
      const root = document.querySelector('#comments')?.shadowRoot;
      return root ? root.adoptedStyleSheets.length + root.querySelectorAll('style').length : 0;
    });
    expect(styled).to.be.greaterThan(0);
    mkdirSync('test-artifacts', { recursive: true });
    await demo.screenshot({ path: 'test-artifacts/demo.png', fullPage: true });
    expect(violations).to.deep.equal([]);
  });
});
