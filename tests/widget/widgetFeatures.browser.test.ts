import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { forgetSiteStaff } from '../../src/comments/staff';
import { createTestUser, type TestUser } from '../support/fixtures';
import { useChromiumStack, type WidgetStack } from './browserStack';
import { createRichThread, HELD_WORD, type RichThread } from './widgetFixtures';
import {
  apiPost,
  focusedInWidget,
  openSignedIn,
  readerWithPassword,
  screenshot,
  signInWithPassword,
  waitForStatus,
  type CreatedComment,
} from './widgetHelpers';

const CONFIGS = [
  { width: 1280, height: 900, theme: 'light', touch: false },
  { width: 375, height: 812, theme: 'dark', touch: true },
] as const;

/** Whether an element of the widget is inside the visible part of the page. */
async function inViewport(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((css) => {
    const element = document.querySelector('#comments')?.shadowRoot?.querySelector(css);
    if (!element) return false;
    const box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < innerHeight;
  }, selector);
}

/** Issue 13's features, each at desktop width in the light theme and at phone width in the dark one. */
describe('embedded widget in Chromium: messages, signed-out readers, structure and composer', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pagedArticle: string;
  let pagedLast: CreatedComment;

  useChromiumStack(
    { site: { suspectWords: [HELD_WORD] } },
    {
      started: (started) => ({ stack, browser } = started),
    },
  );

  before(async () => {
    const writer = await createTestUser({ displayName: 'Paging Writer' });
    pagedArticle = 'deep-link-paged';
    for (let n = 1; n <= 22; n += 1) pagedLast = await apiPost(stack, writer, pagedArticle, `Paged note ${String(n).padStart(2, '0')}.`);
  });

  for (const config of CONFIGS) {
    describe(`at ${config.width} px, ${config.theme}`, () => {
      const tag = `${config.theme}-${config.width}`;
      const url = (article: string): string => `${stack.articleUrl(article)}?theme=${config.theme}${config.theme === 'dark' ? '&page=dark' : ''}`;

      beforeEach(async () => {
        context = await browser.newContext({ viewport: { width: config.width, height: config.height }, hasTouch: config.touch, isMobile: config.touch });
        page = await context.newPage();
        page.setDefaultTimeout(15_000);
      });

      afterEach(async () => {
        await context?.close();
      });

      it('says what happened beside the comment it concerns, and scrolls to and highlights a new comment', async () => {
        const reader = await createTestUser({ displayName: 'Marin Messages' });
        const other = await createTestUser({ displayName: 'Otto Other' });
        const article = `messages-${tag}`;
        const target = await apiPost(stack, other, article, 'The lighthouse tours start in June.');
        for (let n = 1; n <= 6; n += 1) await apiPost(stack, other, article, `Filler line ${n} so the thread runs long.\n\nAnd a second paragraph.`);
        await openSignedIn(page, stack, article, reader, url(article));

        const vote = page.locator(`#tl-comment-${target.id}`).getByRole('button', { name: /^Upvote/ });
        await vote.click();
        await page.locator(`#tl-comment-${target.id} .note`).filter({ hasText: 'Vote recorded.' }).waitFor();
        await waitForStatus(page, 'Vote recorded.');
        expect(await page.locator('#comments .status').getAttribute('class'), 'the live region only announces').to.include('sr-only');

        await page.getByLabel('Add a comment').fill(`Are the ${HELD_WORD} walks guided too?`);
        await page.getByRole('button', { name: 'Post comment' }).click();
        const held = page.locator('#comments article[data-status="pending"]').filter({ hasText: 'walks guided' });
        await held.locator('.note').filter({ hasText: 'held for moderation' }).waitFor();
        await held.getByText('Only you can see this until a moderator approves it.').waitFor();
        expect(await page.locator(`#tl-comment-${target.id} .note`).textContent(), 'the old message goes').to.equal('');

        await page.getByLabel('Add a comment').fill('Thanks, booking for the first weekend.');
        await page.getByRole('button', { name: 'Post comment' }).click();
        const fresh = page.locator('#comments article.fresh').filter({ hasText: 'first weekend' });
        await fresh.waitFor();
        const freshId = (await fresh.getAttribute('id')) ?? '';
        expect(await inViewport(page, `#${freshId}`), 'scrolled to').to.equal(true);
        expect(await focusedInWidget(page)).to.match(/^article#tl-comment-/);
        await screenshot(page, `messages-${tag}`);
        // The highlight fades and goes.
        await page.locator('#comments article.fresh').filter({ hasText: 'first weekend' }).waitFor({ state: 'detached' });
      });

      it('shows an empty thread inviting the first comment, with the comment box, to a signed-out reader', async () => {
        await page.goto(url(`empty-${tag}`));
        await page.getByText('Be the first to comment.').waitFor();
        await page.getByLabel('Add a comment').waitFor();
        await screenshot(page, `empty-signed-out-${tag}`);
      });

      it('lets a signed-out reader vote, reply and post: sign-in opens in place and they carry on', async () => {
        const reader = await readerWithPassword(stack, `Sam Signedout ${config.width}`);
        const other = await createTestUser({ displayName: 'Tess Target' });
        const article = `signed-out-${tag}`;
        const target = await apiPost(stack, other, article, 'Parking by the quay is free after six.');
        await page.goto(url(article));
        const comment = page.locator(`#tl-comment-${target.id}`);

        await comment.getByRole('button', { name: /^Upvote/ }).click();
        const signIn = comment.getByRole('group', { name: 'Sign in' });
        await signIn.getByText('Sign in to vote').waitFor();
        await screenshot(page, `sign-in-in-place-${tag}`);
        await signInWithPassword(signIn, reader);
        await page.getByRole('button', { name: 'Sign out' }).waitFor();
        await comment.locator('.score').filter({ hasText: /^1$/ }).waitFor();
        expect(await comment.getByRole('button', { name: /^Upvote/ }).getAttribute('aria-pressed')).to.equal('true');
        expect(await focusedInWidget(page), 'back on the vote button').to.match(/^button#\|▲$/);

        await page.getByRole('button', { name: 'Sign out' }).click();
        await waitForStatus(page, 'You are signed out.');
        await comment.getByRole('button', { name: 'Reply to Tess Target' }).click();
        const again = comment.getByRole('group', { name: 'Sign in' });
        await again.getByText('Sign in to reply').waitFor();
        await signInWithPassword(again, reader);
        const box = page.getByRole('textbox', { name: 'Reply to Tess Target' });
        await box.waitFor();
        expect(await focusedInWidget(page)).to.match(/^textarea#/);

        await page.getByRole('button', { name: 'Sign out' }).click();
        await waitForStatus(page, 'You are signed out.');
        await page.getByLabel('Add a comment').fill('Written before signing in: is it free on Sundays?');
        await page.getByRole('button', { name: 'Post comment' }).click();
        const composeSignIn = page.locator('#comments .compose').getByRole('group', { name: 'Sign in' });
        await signInWithPassword(composeSignIn, reader);
        await page.locator('#comments article').filter({ hasText: 'free on Sundays' }).waitFor();
        await waitForStatus(page, 'Your comment was posted.');
      });

      describe('thread structure', () => {
        let thread: RichThread;

        before(async () => {
          thread = await createRichThread(stack, `structure-${tag}`);
          // The site's staff list is kept for a minute; this thread's moderator is new.
          forgetSiteStaff();
        });

        it('draws initials avatars in stable colours, dividers, and "You" and staff badges', async () => {
          await openSignedIn(page, stack, thread.article, thread.reader, url(thread.article));
          const staff = page.locator(`#tl-comment-${thread.staffComment.id}`);
          expect(await staff.locator('.avatar').textContent()).to.equal('HD');
          await staff.locator('.badge.staff').filter({ hasText: 'Staff' }).waitFor();
          const mine = page.locator(`#tl-comment-${thread.chain[0].id}`);
          await mine.locator('.badge.you').filter({ hasText: 'You' }).waitFor();
          expect(await mine.locator('.badge.staff').count()).to.equal(0);
          const colours = await page.evaluate(() => {
            const root = document.querySelector('#comments')?.shadowRoot;
            const byName = new Map<string, Set<string>>();
            for (const article of Array.from(root?.querySelectorAll('article') ?? [])) {
              const name = article.querySelector('.author')?.textContent ?? '';
              const colour = getComputedStyle(article.querySelector('.avatar') as Element).backgroundColor;
              byName.set(name, new Set([...(byName.get(name) ?? []), colour]));
            }
            return [...byName.values()].map((set) => set.size);
          });
          expect(colours.every((size) => size === 1), 'one colour per person').to.equal(true);
          const divider = await page.evaluate(() => {
            const second = document.querySelector('#comments')?.shadowRoot?.querySelector('ol.thread > li.comment + li.comment');
            return second ? getComputedStyle(second).borderTopStyle : 'none';
          });
          expect(divider).to.equal('solid');
        });

        it('past the indentation cap says whom a reply answers, with a link to it', async () => {
          await page.goto(url(thread.article));
          const deep = page.locator(`#tl-comment-${thread.chain[6].id}`);
          const link = deep.getByRole('link', { name: 'replying to Quinn Neighbour' });
          await link.click();
          await page.waitForFunction(
            (id) => document.querySelector('#comments')?.shadowRoot?.activeElement?.id === `tl-comment-${id}`,
            thread.chain[5].id,
          );
          expect(await page.locator(`#tl-comment-${thread.chain[3].id}`).getByText(/^replying to/).count(), 'not above the cap').to.equal(0);
        });

        it('collapses long reply lists, and expands and hides a thread', async () => {
          await page.goto(url(thread.article));
          const busy = page.locator('#comments li.comment').filter({ has: page.locator(`#tl-comment-${thread.busyComment.id}`) });
          await busy.getByText('Queue answer 3').waitFor();
          expect(await busy.getByText('Queue answer 5').isVisible()).to.equal(false);
          await busy.getByRole('button', { name: 'Show 2 more replies' }).click();
          await busy.getByText('Queue answer 5').waitFor();
          const toggle = page.locator(`#tl-comment-${thread.busyComment.id} button[aria-expanded]`);
          expect(await toggle.textContent()).to.equal('Hide replies');
          await toggle.click();
          await busy.getByText('Queue answer 1').waitFor({ state: 'hidden' });
          expect(await toggle.getAttribute('aria-expanded')).to.equal('false');
          await page.locator(`#tl-comment-${thread.busyComment.id}`).getByRole('button', { name: 'Show 5 replies' }).click();
          await busy.getByText('Queue answer 1').waitFor();
        });

        it('links to each comment, and a #comment- link scrolls to it, loading its page when needed', async () => {
          await page.goto(url(thread.article));
          const permalink = page.locator(`#tl-comment-${thread.neighbourComment.id}`).getByRole('link', { name: /^Link to this comment/ });
          expect(await permalink.getAttribute('href')).to.equal(`#comment-${thread.neighbourComment.id}`);
          await page.goto(`${url(pagedArticle)}#comment-${pagedLast.id}`);
          await page.waitForFunction(
            (id) => document.querySelector('#comments')?.shadowRoot?.activeElement?.id === `tl-comment-${id}`,
            pagedLast.id,
          );
          expect(await inViewport(page, `#tl-comment-${pagedLast.id}`)).to.equal(true);
          await screenshot(page, `comment-link-${tag}`);
        });
      });

      it('previews a draft as the service renders it, with help, quote and code styles', async () => {
        const reader = await createTestUser({ displayName: 'Pia Preview' });
        await openSignedIn(page, stack, `preview-${tag}`, reader, url(`preview-${tag}`));
        await page.getByText('Formatting help').click();
        await page.getByText('at the start of a line quotes it').waitFor();
        await page.getByLabel('Add a comment').fill('> the ferry is late\n\nIt is, by `10 min`, **again**.');
        await page.getByRole('button', { name: 'Preview' }).click();
        const preview = page.getByRole('region', { name: 'Preview' });
        await preview.locator('blockquote').filter({ hasText: 'the ferry is late' }).waitFor();
        await preview.locator('code').filter({ hasText: '10 min' }).waitFor();
        await preview.locator('strong').filter({ hasText: 'again' }).waitFor();
        const quoteBorder = await page.evaluate(() => {
          const quote = document.querySelector('#comments')?.shadowRoot?.querySelector('.preview blockquote');
          return quote ? getComputedStyle(quote).borderLeftStyle : 'none';
        });
        expect(quoteBorder).to.equal('solid');
        await screenshot(page, `preview-${tag}`);
        await page.getByRole('button', { name: 'Back to editing' }).click();
        await page.getByRole('button', { name: 'Post comment' }).click();
        await page.locator('#comments article blockquote').filter({ hasText: 'the ferry is late' }).waitFor();
      });

      it('shows the password rules before an account is created', async () => {
        await page.goto(url(`register-${tag}`));
        await page.getByRole('button', { name: 'Create an account' }).click();
        const password = page.getByLabel('Password');
        const described = await password.getAttribute('aria-describedby');
        expect(described).to.be.a('string');
        await page.getByText('At least 10 characters').waitFor();
      });

      it('shows how long Edit lasts, and takes it away when the window closes', async () => {
        const reader: TestUser = await createTestUser({ displayName: 'Edda Editor' });
        await page.clock.install();
        await openSignedIn(page, stack, `edit-window-${tag}`, reader, url(`edit-window-${tag}`));
        await page.getByLabel('Add a comment').fill('The café opens at nine.');
        await page.getByRole('button', { name: 'Post comment' }).click();
        const mine = page.locator('#comments article').filter({ hasText: 'café opens' });
        await mine.getByText('5 min left to edit').waitFor();
        await mine.getByRole('button', { name: 'Edit', exact: true }).click();
        await page.clock.fastForward('03:00');
        await mine.getByText('2 min left to edit').waitFor();
        await page.clock.fastForward('02:15');
        await mine.getByRole('button', { name: 'Edit', exact: true }).waitFor({ state: 'detached' });
        expect(await mine.getByText(/left to edit/).count()).to.equal(0);
        await mine.locator('.note').filter({ hasText: 'The time to edit this comment has passed' }).waitFor();
        expect(await page.getByLabel('Edit your comment').count(), 'the editor closes').to.equal(0);
      });
    });
  }
});
