import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestUser } from '../support/fixtures';
import type { WidgetStack } from '../widget/browserStack';

export const TOKEN_KEY = 'threadline-console-token';

/** A console tab already signed in as this user (the token in the tab's session storage). */
export async function openConsole(
  browser: Browser,
  stack: WidgetStack,
  user: TestUser,
  hash = '',
  width = 1100,
  options: { bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, ...options });
  await context.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [TOKEN_KEY, user.token] as const);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${stack.serviceUrl}/moderate${hash}`);
  return { context, page };
}

/** Waits until the console's live region announces this. */
export async function live(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('#live').filter({ hasText: text }).waitFor();
}
