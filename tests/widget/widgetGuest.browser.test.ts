import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { createTestUser } from '../support/fixtures';
import { startWidgetStack, useChromiumStack, type WidgetStack } from './browserStack';
import { axeViolations } from './widgetFixtures';
import { postComment, screenshot, waitForStatus } from './widgetHelpers';

/** The guest fields of the new-comment form. */
function guestBox(page: Page): Locator {
  return page.locator('#comments .compose fieldset.guest');
}

async function fillGuest(page: Page, details: { name: string; email: string; website: string }): Promise<void> {
  const box = guestBox(page);
  await box.getByLabel('Name', { exact: true }).fill(details.name);
  await box.getByLabel('Email', { exact: true }).fill(details.email);
  await box.getByLabel('Website (optional)').fill(details.website);
}

describe('embedded widget in Chromium: guests', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let page: Page;

  useChromiumStack(
    { site: { allowGuests: true }, perTest: { timeoutMs: 10_000 } },
    {
      started: (started) => ({ stack } = started),
      opened: (opened) => ({ page } = opened),
    },
  );

  it('lets a signed-out reader post as a guest, held until approved, then shows a Guest badge and a nofollow ugc link', async () => {
    const moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [stack.siteId] });
    await page.goto(stack.articleUrl('guest-post'));
    const box = guestBox(page);
    await box.getByText('Fill in your details below').waitFor();
    await box.getByText('Never shown publicly.').waitFor();

    // Checked on the client first: no javascript: link is ever sent or shown.
    await fillGuest(page, { name: 'Marlow Finch', email: 'marlow@example.test', website: 'javascript:alert(1)' });
    await postComment(page, 'The rope works needs a second entrance for the market.');
    await box.getByText('Enter a web address starting with http:// or https://').waitFor();
    expect(await box.getByLabel('Website (optional)').getAttribute('aria-invalid')).to.equal('true');

    await box.getByLabel('Website (optional)').fill('https://finch.example.org/');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await waitForStatus(page, 'held for moderation');
    const held = page.locator('#comments article[data-status="pending"]').filter({ hasText: 'second entrance' });
    await held.getByText('Awaiting moderation').waitFor();
    const articleId = (await held.getAttribute('id')) ?? '';
    const commentId = articleId.replace('tl-comment-', '');
    expect(commentId).to.match(/^[a-f0-9]{24}$/);

    const approved = await fetch(`${stack.serviceUrl}/api/v1/comments/${commentId}/approve`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${moderator.token}` },
      body: '{}',
    });
    expect(approved.status, await approved.clone().text()).to.equal(200);

    await page.reload();
    const shown = page.locator('#comments article[data-status="approved"]').filter({ hasText: 'second entrance' });
    await shown.waitFor();
    const name = shown.getByRole('link', { name: 'Marlow Finch' });
    expect(await name.getAttribute('href')).to.equal('https://finch.example.org/');
    expect(await name.getAttribute('target')).to.equal('_blank');
    const rel = ((await name.getAttribute('rel')) ?? '').split(/\s+/);
    expect(rel).to.include.members(['nofollow', 'ugc', 'noopener']);
    await shown.locator('.badge.guest').filter({ hasText: 'Guest' }).waitFor();
    // The email never reaches the page.
    expect(await shown.textContent()).not.to.include('marlow@example.test');

    // Remembered on this browser: the form is filled in after the reload.
    expect(await box.getByLabel('Name', { exact: true }).inputValue()).to.equal('Marlow Finch');
    expect(await box.getByLabel('Email', { exact: true }).inputValue()).to.equal('marlow@example.test');
    expect(await box.getByLabel('Website (optional)').inputValue()).to.equal('https://finch.example.org/');
    expect(await axeViolations(page), 'axe-core').to.deep.equal([]);
    await screenshot(page, 'widget-guest-approved');
  });

  it('tells a guest clearly when the email belongs to an account, beside the email field', async () => {
    const member = await createTestUser({ displayName: 'Account Holder' });
    await page.goto(stack.articleUrl('guest-conflict'));
    await guestBox(page).getByText('Fill in your details below').waitFor();
    await fillGuest(page, { name: 'Not Really Them', email: member.email, website: '' });
    await postComment(page, 'Posting under somebody else’s address.');
    const email = guestBox(page).getByLabel('Email', { exact: true });
    await guestBox(page).getByText('belongs to an account').waitFor();
    expect(await email.getAttribute('aria-invalid')).to.equal('true');
    await page.locator('#comments .compose .note[data-kind="error"]').filter({ hasText: 'not posted' }).waitFor();
    expect(await page.locator('#comments article').count()).to.equal(0);
    expect(await axeViolations(page), 'axe-core').to.deep.equal([]);
    await screenshot(page, 'widget-guest-conflict');
  });

  it('offers no guest form where the site does not allow guests', async () => {
    const closed = await startWidgetStack();
    try {
      await page.goto(closed.articleUrl('members-only'));
      await page.getByRole('heading', { name: /comments?$/ }).waitFor();
      await page.getByRole('button', { name: 'Sign in with password' }).first().waitFor();
      expect(await guestBox(page).isHidden()).to.equal(true);
    } finally {
      await closed.stop();
    }
  });
});
