import { mkdirSync } from 'node:fs';
import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import type { TestUser } from '../support/fixtures';
import type { WidgetStack } from './browserStack';

export interface CreatedComment {
  id: string;
  status: string;
}

/** Posts straight to the API, as another reader's browser would, to set up a thread. */
export async function apiPost(stack: WidgetStack, author: TestUser, articleId: string, body: string, parentId?: string): Promise<CreatedComment> {
  const response = await fetch(
    `${stack.serviceUrl}/api/v1/sites/${stack.siteId}/articles/${encodeURIComponent(articleId)}/comments`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${author.token}` },
      body: JSON.stringify(parentId ? { body, parentId } : { body }),
    },
  );
  expect(response.status, await response.clone().text()).to.equal(201);
  return (await response.json()) as CreatedComment;
}

export async function apiVote(stack: WidgetStack, voter: TestUser, commentId: string, value: 1 | 0 | -1 = 1): Promise<void> {
  const response = await fetch(`${stack.serviceUrl}/api/v1/comments/${commentId}/vote`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${voter.token}` },
    body: JSON.stringify({ value }),
  });
  expect(response.status).to.equal(200);
}

export function sessionKey(stack: WidgetStack): string {
  return `threadline:session:${stack.serviceUrl}`;
}

/** Plants `user`'s session in the widget's storage (the sign-in flows have their own tests) and opens `url`. */
export async function openSignedIn(page: Page, stack: WidgetStack, articleId: string, user: TestUser, url = stack.articleUrl(articleId)): Promise<void> {
  await page.goto(url);
  await page.evaluate(
    ({ key, session }) => sessionStorage.setItem(key, JSON.stringify(session)),
    {
      key: sessionKey(stack),
      session: {
        token: user.token,
        user: { id: user.id, displayName: user.displayName, role: 'commenter', emailVerified: true, banned: false },
      },
    },
  );
  await page.reload();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByRole('heading', { name: /comments?$/ }).waitFor();
}

export async function waitForStatus(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('#comments .status').filter({ hasText: text }).waitFor();
}

export async function postComment(page: Page, text: string): Promise<void> {
  await page.getByLabel('Add a comment').fill(text);
  await page.getByRole('button', { name: 'Post comment' }).click();
}

/** The comment bodies in the order the widget lists them at the top level. */
export async function rootBodies(page: Page): Promise<string[]> {
  return page.locator('#comments ol.thread > li.comment > article .body').allTextContents().then((texts) => texts.map((t) => t.trim()));
}

/** The element focused inside the widget's shadow root, as `tag#id|text`. */
export async function focusedInWidget(page: Page): Promise<string> {
  return page.evaluate(() => {
    const active = document.querySelector('#comments')?.shadowRoot?.activeElement;
    if (!active) return '';
    return `${active.tagName.toLowerCase()}#${active.id}|${active.textContent?.trim() ?? ''}`;
  });
}

/** Saves a screenshot under test-artifacts/ for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync('test-artifacts', { recursive: true });
  await page.screenshot({ path: `test-artifacts/${name}.png`, fullPage: true });
}

export const PASSWORD = 'tidepool-rigging-orchard-58';

/** A reader who registered with PASSWORD through the API, so they can sign in with it in the widget. */
export async function readerWithPassword(stack: WidgetStack, displayName: string): Promise<TestUser> {
  const email = `${displayName.toLowerCase().replace(/\W+/g, '-')}-${Date.now().toString(36)}@example.test`;
  const response = await fetch(`${stack.serviceUrl}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD, displayName }),
  });
  expect(response.status).to.equal(201);
  const { token, user } = (await response.json()) as { token: string; user: { id: string } };
  return { id: user.id, token, email, displayName };
}

/** Signs in with PASSWORD inside a sign-in group the widget opened. */
export async function signInWithPassword(group: Locator, reader: TestUser): Promise<void> {
  await group.getByRole('button', { name: 'Sign in with password' }).click();
  await group.getByLabel('Email address').fill(reader.email);
  await group.getByLabel('Password').fill(PASSWORD);
  await group.getByRole('button', { name: 'Sign in', exact: true }).click();
}
