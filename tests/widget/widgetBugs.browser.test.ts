import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createTestUser } from '../support/fixtures';
import { useChromiumStack, type WidgetStack } from './browserStack';
import { apiPost, focusedInWidget, openSignedIn, PASSWORD, readerWithPassword, rootBodies, screenshot, sessionKey, waitForStatus } from './widgetHelpers';

async function storedToken(page: Page, stack: WidgetStack): Promise<string | null> {
  return page.evaluate((key) => (JSON.parse(sessionStorage.getItem(key) ?? 'null') as { token?: string } | null)?.token ?? null, sessionKey(stack));
}

/** Each of issue 13's bugs, at phone and desktop width: every test here failed against the widget before its fix. */
describe('embedded widget in Chromium: sessions, drafts, paging, phone layout and votes', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let page: Page;

  useChromiumStack(
    { perTest: { context: { viewport: { width: 1280, height: 900 } }, timeoutMs: 15_000 } },
    {
      started: (started) => ({ stack } = started),
      opened: (opened) => ({ page } = opened),
    },
  );

  describe('sessions', () => {
    it('renews the token before it expires while the reader is writing, without cookies', async () => {
      const reader = await createTestUser({ displayName: 'Slow Writer' });
      await page.clock.install();
      await openSignedIn(page, stack, 'long-draft', reader);
      const first = await storedToken(page, stack);
      // Ten minutes of reading, then the reader starts a long comment.
      await page.clock.fastForward('10:00');
      await page.getByLabel('Add a comment').fill('Thinking about the harbour wall for a long while');
      const refreshed = page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/refresh'));
      // Past the point where the 15-minute token must be renewed.
      await page.clock.fastForward('04:00');
      const response = await refreshed;
      expect(response.status()).to.equal(200);
      expect(response.request().headers().cookie, 'no cookie is involved').to.equal(undefined);
      await page.waitForFunction(
        ({ key, old }) => (JSON.parse(sessionStorage.getItem(key) ?? 'null') as { token?: string } | null)?.token !== old,
        { key: sessionKey(stack), old: first },
        { polling: 100 },
      );
      await page.getByRole('button', { name: 'Post comment' }).click();
      await waitForStatus(page, 'Your comment was posted.');
      await page.locator('#comments article').filter({ hasText: 'harbour wall' }).waitFor();
    });

    it('lets an idle reader’s token lapse, and a signed-out token is never renewed', async () => {
      const reader = await createTestUser({ displayName: 'Idle Reader' });
      await page.clock.install();
      await openSignedIn(page, stack, 'idle-reader', reader);
      let refreshes = 0;
      page.on('request', (request) => {
        if (request.url().endsWith('/api/v1/auth/refresh')) refreshes += 1;
      });
      await page.clock.fastForward('14:00');
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      expect(refreshes, 'no activity, no renewal').to.equal(0);
    });

    it('signs an ended session in again in place, and the comment goes through with its text', async () => {
      const reader = await readerWithPassword(stack, 'Returning Reader');
      await openSignedIn(page, stack, 'ended-session', reader);
      // Signed out elsewhere: this token no longer works.
      await fetch(`${stack.serviceUrl}/api/v1/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${reader.token}` } });
      const text = 'A long thought about the ferry timetable, written over many minutes.';
      await page.getByLabel('Add a comment').fill(text);
      await page.getByRole('button', { name: 'Post comment' }).click();
      const signIn = page.locator('#comments .compose').getByRole('group', { name: 'Sign in' });
      await signIn.getByText('Your session has ended').waitFor();
      expect(await page.getByLabel('Add a comment').inputValue(), 'the text is still there').to.equal(text);
      await screenshot(page, 'session-ended-sign-in-in-place-1280');
      await signIn.getByRole('button', { name: 'Sign in with password' }).click();
      await signIn.getByLabel('Email address').fill(reader.email);
      await signIn.getByLabel('Password').fill(PASSWORD);
      await signIn.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('#comments article').filter({ hasText: 'ferry timetable' }).waitFor();
      await waitForStatus(page, 'Your comment was posted.');
      expect(await page.getByLabel('Add a comment').inputValue()).to.equal('');
      expect(await page.evaluate(() => Object.keys(sessionStorage).filter((key) => key.includes(':draft:')))).to.deep.equal([]);
    });

    it('keeps drafts per article and per reply through a reload', async () => {
      const reader = await createTestUser({ displayName: 'Draft Keeper' });
      const other = await createTestUser({ displayName: 'Quay Neighbour' });
      await apiPost(stack, other, 'drafts-a', 'The slipway needs a handrail.');
      await openSignedIn(page, stack, 'drafts-a', reader);
      await page.getByLabel('Add a comment').fill('Top-level draft about the slipway');
      await page.getByRole('button', { name: 'Reply to Quay Neighbour' }).click();
      await page.getByRole('textbox', { name: 'Reply to Quay Neighbour' }).fill('Reply draft: agreed, and a light');
      await page.reload();
      await page.getByRole('heading', { name: '1 comment' }).waitFor();
      expect(await page.getByLabel('Add a comment').inputValue()).to.equal('Top-level draft about the slipway');
      await page.getByRole('button', { name: 'Reply to Quay Neighbour' }).click();
      expect(await page.getByRole('textbox', { name: 'Reply to Quay Neighbour' }).inputValue()).to.equal('Reply draft: agreed, and a light');
      await page.goto(stack.articleUrl('drafts-b'));
      await page.getByRole('heading', { name: '0 comments' }).waitFor();
      expect(await page.getByLabel('Add a comment').inputValue(), 'drafts are per article').to.equal('');
    });
  });

  it('lists a comment posted under "Oldest first" once, at the end, after loading more', async () => {
    const writer = await createTestUser({ displayName: 'Early Bird' });
    const reader = await createTestUser({ displayName: 'Late Reader' });
    const article = 'oldest-first-dup';
    for (let n = 1; n <= 21; n += 1) await apiPost(stack, writer, article, `Tide note ${String(n).padStart(2, '0')}.`);
    await openSignedIn(page, stack, article, reader);
    await page.getByRole('button', { name: 'Load more comments' }).waitFor();
    await page.getByLabel('Add a comment').fill('Fresh note from the late reader.');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await waitForStatus(page, 'Your comment was posted.');
    await page.getByRole('button', { name: 'Load more comments' }).click();
    await page.locator('#comments article').filter({ hasText: 'Tide note 21' }).waitFor();
    await page.getByRole('button', { name: 'Load more comments' }).waitFor({ state: 'hidden' });
    const bodies = await rootBodies(page);
    expect(bodies.filter((body) => body.includes('late reader')), 'listed once').to.have.length(1);
    expect(bodies[bodies.length - 1]).to.include('late reader');
    expect(bodies).to.have.length(22);
  });

  it('leaves no blank gap under the sort menu on a phone', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(stack.articleUrl('phone-gap'));
    await page.getByRole('heading', { name: '0 comments' }).waitFor();
    const gap = await page.evaluate(() => {
      const root = document.querySelector('#comments')?.shadowRoot;
      const bar = root?.querySelector('.bar');
      const select = root?.querySelector('.bar select');
      if (!bar || !select) return -1;
      return bar.getBoundingClientRect().bottom - select.getBoundingClientRect().bottom;
    });
    expect(gap).to.be.within(0, 8);
    await screenshot(page, 'phone-sort-menu-375');
  });

  it('shows the reader’s own votes as pressed after a reload, and keeps keyboard focus on the vote button', async () => {
    const writer = await createTestUser({ displayName: 'Vote Target' });
    const reader = await createTestUser({ displayName: 'Keyboard Voter' });
    const article = 'votes-after-reload';
    const target = await apiPost(stack, writer, article, 'The new buoys are bright orange.');
    await openSignedIn(page, stack, article, reader);
    const upvote = page.locator(`#tl-comment-${target.id}`).getByRole('button', { name: /^Upvote/ });
    await upvote.focus();
    await page.keyboard.press('Enter');
    await page.locator(`#tl-comment-${target.id} .score`).filter({ hasText: /^1$/ }).waitFor();
    expect(await upvote.getAttribute('aria-pressed')).to.equal('true');
    expect(await focusedInWidget(page), 'focus stays on the button').to.match(/^button#\|▲$/);
    await page.reload();
    const again = page.locator(`#tl-comment-${target.id}`).getByRole('button', { name: /^Upvote/ });
    await again.waitFor();
    expect(await again.getAttribute('aria-pressed')).to.equal('true');
    // Pressing again takes the vote back, from the state shown after the reload.
    await again.click();
    await page.locator(`#tl-comment-${target.id} .score`).filter({ hasText: /^0$/ }).waitFor();
    expect(await again.getAttribute('aria-pressed')).to.equal('false');
  });
});
