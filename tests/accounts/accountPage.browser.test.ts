import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { useChromiumStack, type WidgetStack } from '../widget/browserStack';
import { STRONG_PASSWORD, uniqueEmail } from '../accounts/helpers';

const NEW_PASSWORD = 'juniper-lighthouse-cargo-58';

describe('readers: account page in Chromium', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let browser: Browser;

  useChromiumStack(
    {  },
    {
      started: (started) => ({ stack, browser } = started),
    },
  );

  const status = (page: Page, text: RegExp) => page.locator('#status').filter({ hasText: text }).waitFor();
  const login = (email: string, password: string) =>
    fetch(`${stack.serviceUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }) });

  it('resets a forgotten password from the mailed link, then exports the data and deletes the account', async () => {
    const email = uniqueEmail('browser');
    const registered = await fetch(`${stack.serviceUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: STRONG_PASSWORD, displayName: 'Pia Browser' }),
    });
    expect(registered.status).to.equal(201);
    const context = await browser.newContext({ acceptDownloads: true });
    const start = await context.newPage();
    start.setDefaultTimeout(15_000);

    await start.goto(`${stack.serviceUrl}/account`);
    await start.getByLabel('Email address').fill(email);
    await start.getByRole('button', { name: 'Forgot password' }).click();
    await status(start, /a link to choose a new password is on its way/);
    const link = /https?:\/\/\S+#threadline-password-reset=[A-Za-z0-9_-]+/.exec(stack.smtp.lastTo(email).text)?.[0];
    expect(link, 'the mail carries a reset link to the account page').to.match(/\/account#/);

    // Opened from the mail, as a mail client would: a new tab.
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(link as string);
    expect(page.url(), 'the token leaves the address bar').to.not.contain('threadline-password-reset');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await status(page, /Your password is changed/);
    await page.locator('#who').filter({ hasText: 'Pia Browser' }).waitFor();
    expect((await login(email, STRONG_PASSWORD)).status).to.equal(401);
    expect((await login(email, NEW_PASSWORD)).status).to.equal(200);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download my data' }).click()]);
    expect(download.suggestedFilename()).to.equal('threadline-my-data.json');
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
    expect(exported.account).to.include({ email, displayName: 'Pia Browser', hasPassword: true });

    await page.getByLabel('Password (if you have one)').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await status(page, /Your account is deleted/);
    expect((await login(email, NEW_PASSWORD)).status).to.equal(401);
    await context.close();
  });
});
