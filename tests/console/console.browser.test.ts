import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { UserModel } from '../../src/accounts/user.model';
import { CommentModel } from '../../src/comments/comment.model';
import { FlagModel } from '../../src/moderation/flag.model';
import { createTestSite, createTestUser, type TestUser } from '../support/fixtures';
import { useChromiumStack, type WidgetStack } from '../widget/browserStack';
import { insertComment } from '../moderation/helpers';
import { live, openConsole, TOKEN_KEY } from './consoleSupport';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');
async function currentId(page: Page): Promise<string | null> {
  return page.locator('.item.current').getAttribute('data-id');
}

describe('moderator console in Chromium', function () {
  this.timeout(180_000);
  let stack: WidgetStack;
  let browser: Browser;
  let siteId: string;
  let moderator: TestUser;
  let admin: TestUser;

  useChromiumStack(
    { site: { premoderation: 'all', suspectWords: ['casino'] } },
    { started: (started) => ({ stack, browser } = started) },
  );

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    siteId = stack.siteId;
    moderator = await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId], displayName: 'Mira Moderator' });
    admin = await createTestUser({ role: 'admin', displayName: 'Ada Admin' });
  });

  it('signs in by password and by email link, and keeps commenters out', async () => {
    const email = `console-${Date.now()}@example.test`;
    const password = 'lantern-harbour-quay-77';
    const registered = await fetch(`${stack.serviceUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password, displayName: 'Petra Password' }),
    });
    expect(registered.status).to.equal(201);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${stack.serviceUrl}/moderate`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Only admins and site moderators can use the console.').waitFor();

    await UserModel.updateOne({ email }, { $set: { role: 'moderator', moderatedSiteIds: [siteId] } });
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    try {
      await page.getByRole('heading', { name: 'Queue: pending' }).waitFor();
    } catch (err) {
      throw new Error(`${String(err)}\n${await page.locator('main').innerText()}`);
    }
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByText('Check your email').waitFor();
    const link = /https?:\/\/\S+#threadline-email-link=[A-Za-z0-9_-]+/.exec(stack.smtp.lastTo(email).text)?.[0];
    expect(link?.startsWith(`${stack.serviceUrl}/moderate#`)).to.equal(true);
    await page.goto(link as string);
    try {
      await page.getByRole('heading', { name: 'Queue: pending' }).waitFor();
    } catch (err) {
      throw new Error(`${String(err)}\n${await page.locator('main').innerText()}`);
    }
    expect(page.url()).to.not.include('threadline-email-link');
    await context.close();
  });

  it('shows each item with marked words, reasons, flags, parent, article and the author\'s record', async () => {
    const author = await createTestUser({ displayName: 'Casimir Caster' });
    const parent = await insertComment(siteId, { status: 'approved', articleId: 'pier-fire', body: 'The pier fire started at dawn.' });
    const id = await insertComment(siteId, {
      authorId: author.id,
      displayName: author.displayName,
      articleId: 'pier-fire',
      body: 'Visit my casino, and the Casino bar too.',
      reasons: [{ code: 'first-comment' }],
    });
    await CommentModel.updateOne(
      { _id: id },
      { $set: { parentId: parent, reasons: [{ code: 'suspect-word', detail: 'casino' }, { code: 'first-comment' }], flagCount: 2 } },
    );
    for (const reason of ['spam', 'spam'] as const) {
      const reader = await createTestUser();
      await FlagModel.create({ _id: `${id}:${reader.id}`, commentId: id, siteId, userId: reader.id, reason });
    }
    await insertComment(siteId, { authorId: author.id, displayName: author.displayName, status: 'rejected' });
    const { context, page } = await openConsole(browser, stack, moderator, `#/site/${siteId}/queue/pending`);
    const item = page.locator(`.item[data-id="${id}"]`);
    await item.waitFor();
    expect(await item.locator('mark').allTextContents()).to.deep.equal(['casino', 'Casino']);
    expect(await item.locator('.reasons li').allTextContents()).to.deep.equal(['suspect-word: casino', 'first-comment']);
    expect(await item.locator('.flags li').allTextContents()).to.deep.equal(['spam × 2']);
    expect(await item.locator('.parent').textContent()).to.include('The pier fire started at dawn.');
    expect(await item.getByRole('link', { name: 'article pier-fire' }).count()).to.equal(1);
    expect(await item.locator('.record').textContent()).to.include('0 approved · 1 rejected');
    await item.getByRole('link', { name: author.displayName }).click();
    await page.getByRole('heading', { name: author.displayName }).waitFor();
    await page.goBack();
    await page.locator(`.item[data-id="${id}"]`).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-queue.png'), fullPage: true });
    await page.setViewportSize({ width: 360, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'no sideways scrolling at 360 px').to.be.at.most(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-queue-360.png'), fullPage: true });
    await context.close();
  });

  it('works by keyboard: move, approve, reject with a reason, select and bulk approve, undo, ban, help', async () => {
    const site = (await createTestSite({ premoderation: 'all' })).id;
    const mod = await createTestUser({ role: 'moderator', moderatedSiteIds: [site] });
    const author = await createTestUser({ displayName: 'Keyed Kestrel' });
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push(await insertComment(site, { authorId: author.id, displayName: author.displayName, body: `Keyboard item ${i}` }));
    const { context, page } = await openConsole(browser, stack, mod, `#/site/${site}/queue/pending`);
    await page.locator('.item.current').waitFor();
    expect(await currentId(page)).to.equal(ids[0]);
    await page.keyboard.press('j');
    expect(await currentId(page)).to.equal(ids[1]);
    await page.keyboard.press('k');
    expect(await currentId(page)).to.equal(ids[0]);

    await page.keyboard.press('a');
    await live(page, /Approved the comment by Keyed Kestrel/);
    expect((await CommentModel.findById(ids[0]).lean())?.status).to.equal('approved');
    await page.keyboard.press('u');
    await live(page, /Undone/);
    await page.locator(`.item[data-id="${ids[0]}"]`).waitFor();
    expect((await CommentModel.findById(ids[0]).lean())?.status).to.equal('pending');

    await page.keyboard.press('j');
    const target = await currentId(page);
    await page.keyboard.press('r');
    const dialog = page.getByRole('dialog', { name: 'Reject this comment' });
    await dialog.getByLabel('Reason').selectOption('spam');
    await dialog.getByRole('button', { name: 'Reject' }).click();
    await live(page, /Rejected/);
    expect((await CommentModel.findById(target).lean())?.status).to.equal('rejected');

    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.keyboard.press('Shift+A');
    await live(page, /Approved 2/);

    await page.keyboard.press('b');
    const ban = page.getByRole('dialog', { name: /Ban Keyed Kestrel/ });
    await ban.getByLabel('Duration').selectOption('7');
    await ban.getByRole('button', { name: 'Ban' }).click();
    await live(page, /banned on this site for 7 days/);
    const posted = await fetch(`${stack.serviceUrl}/api/v1/sites/${site}/articles/a1/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${author.token}` },
      body: JSON.stringify({ body: 'Can I still post?' }),
    });
    expect(posted.status).to.equal(403);

    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    // Every action has a button too.
    await page.locator('.item.current').getByRole('button', { name: 'Approve' }).click();
    await live(page, /Approved the comment/);
    await context.close();
  });

  it('clears 100 items by keyboard without a full reload', async () => {
    const site = (await createTestSite({ premoderation: 'all' })).id;
    const mod = await createTestUser({ role: 'moderator', moderatedSiteIds: [site] });
    const docs = Array.from({ length: 100 }, (_, i) => ({
      siteId: site,
      articleId: 'busy-night',
      author: { id: null, displayName: `Guest ${i}` },
      body: `Hundred item ${i}`,
      html: '',
      status: 'pending',
      createdAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)),
    }));
    await CommentModel.insertMany(docs);
    const { context, page } = await openConsole(browser, stack, mod, `#/site/${site}/queue/pending`);
    await page.locator('.item.current').waitFor();
    let documents = 0;
    let apiCalls = 0;
    page.on('request', (req) => {
      if (req.resourceType() === 'document') documents += 1;
      if (req.url().includes('/api/v1/')) apiCalls += 1;
    });
    for (let i = 0; i < 100; i += 1) {
      await page.locator('.item.current').waitFor();
      const before = await currentId(page);
      await page.keyboard.press('a');
      await page.waitForFunction((id) => !document.querySelector(`.item[data-id="${id}"]`), before);
    }
    await page.getByText('Nothing waiting').waitFor();
    expect(await CommentModel.countDocuments({ siteId: site, status: 'pending' })).to.equal(0);
    expect(documents, 'no full page load').to.equal(0);
    // 100 decisions, one more page of the queue, and the poller's few calls meanwhile.
    expect(apiCalls).to.be.at.least(100);
    process.stdout.write(`      100 items cleared with ${apiCalls} API requests and ${documents} page loads\n`);
    await context.close();
  });

  it('lets two moderators share one queue: the second sees "decided by another moderator"', async () => {
    const site = (await createTestSite({ premoderation: 'all' })).id;
    const first = await createTestUser({ role: 'moderator', moderatedSiteIds: [site], displayName: 'First Finch' });
    const second = await createTestUser({ role: 'moderator', moderatedSiteIds: [site], displayName: 'Second Swift' });
    const id = await insertComment(site, { body: 'Contested comment' });
    const one = await openConsole(browser, stack, first, `#/site/${site}/queue/pending`);
    const two = await openConsole(browser, stack, second, `#/site/${site}/queue/pending`);
    await one.page.locator(`.item[data-id="${id}"]`).waitFor();
    await two.page.locator(`.item[data-id="${id}"]`).waitFor();
    await one.page.keyboard.press('a');
    await live(one.page, /Approved/);
    await two.page.keyboard.press('r');
    await two.page.getByRole('dialog', { name: 'Reject this comment' }).getByRole('button', { name: 'Reject' }).click();
    await live(two.page, /Decided by another moderator/);
    expect(await two.page.getByRole('heading', { name: 'Queue: pending' }).count()).to.equal(1);
    expect((await CommentModel.findById(id).lean())?.status).to.equal('approved');
    await one.context.close();
    await two.context.close();
  });

  it('keeps a moderator of site A out of site B', async () => {
    const siteB = (await createTestSite({ premoderation: 'all' })).id;
    const hidden = await insertComment(siteB, { body: 'Only for site B moderators' });
    const { context, page } = await openConsole(browser, stack, moderator, `#/site/${siteId}/queue/pending`);
    await page.getByRole('heading', { name: 'Queue: pending' }).waitFor();
    const options = await page.getByLabel('Site').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options).to.deep.equal([siteId]);
    await page.goto(`${stack.serviceUrl}/moderate#/site/${siteB}/queue/pending`);
    await page.getByText('You do not moderate this site.').waitFor();
    expect(await page.getByText('Only for site B moderators').count()).to.equal(0);
    const status = await page.evaluate(async ([key, comment]) => {
      const res = await fetch(`/api/v1/comments/${comment}/approve`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem(key)}` },
        body: '{}',
      });
      return res.status;
    }, [TOKEN_KEY, hidden] as const);
    expect(status).to.equal(403);
    expect((await CommentModel.findById(hidden).lean())?.status).to.equal('pending');
    await context.close();
  });

  /** Posts a held comment as a reader into an open queue; how long it took to appear (ms) from the post's start and from its answer. */
  async function timeToAppear(page: Page, site: string, body: string): Promise<{ ms: number; afterAnswer: number }> {
    const reader = await createTestUser({ displayName: 'Late Lark' });
    const started = Date.now();
    const posted = await fetch(`${stack.serviceUrl}/api/v1/sites/${site}/articles/late/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${reader.token}` },
      body: JSON.stringify({ body }),
    });
    expect(posted.status).to.equal(201);
    const answered = Date.now();
    await page.getByText(body).waitFor();
    return { ms: Date.now() - started, afterAnswer: Date.now() - answered };
  }

  it('shows new items without a reload, pushed by server-sent events', async () => {
    const site = (await createTestSite({ premoderation: 'all' })).id;
    const mod = await createTestUser({ role: 'moderator', moderatedSiteIds: [site] });
    await insertComment(site, { body: 'Already waiting' });
    const { context, page } = await openConsole(browser, stack, mod, `#/site/${site}/queue/pending`);
    const streams: string[] = [];
    page.on('request', (req) => {
      if (req.url().includes('/moderation/events?')) streams.push(req.url());
    });
    const queueReads: string[] = [];
    page.on('request', (req) => {
      if (req.url().includes('/moderation/queue?')) queueReads.push(req.url());
    });
    await page.locator('.item').first().waitFor();
    for (let i = 0; i < 100 && streams.length === 0; i += 1) await page.waitForTimeout(50);
    expect(streams, 'the console opened the queue stream').to.have.length(1);
    await page.waitForTimeout(300);
    const readsBefore = queueReads.length;
    const { ms, afterAnswer } = await timeToAppear(page, site, 'Arrived while the queue was open');
    process.stdout.write(`      a new item appeared ${ms} ms after it was posted, ${afterAnswer} ms after the post was answered (server-sent events)\n`);
    await live(page, /1 new item/);
    // One read for the event, none by a timer (polling would have read again within 3 s): the stream delivered it.
    await page.waitForTimeout(3500);
    expect(queueReads.length - readsBefore).to.equal(1);
    await context.close();
  });

  it('falls back to polling where there is no EventSource', async () => {
    const site = (await createTestSite({ premoderation: 'all' })).id;
    const mod = await createTestUser({ role: 'moderator', moderatedSiteIds: [site] });
    await insertComment(site, { body: 'Already waiting' });
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.addInitScript(([key, value]) => {
      sessionStorage.setItem(key, value);
      Reflect.deleteProperty(window, 'EventSource');
    }, [TOKEN_KEY, mod.token] as const);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${stack.serviceUrl}/moderate#/site/${site}/queue/pending`);
    await page.locator('.item').first().waitFor();
    const { ms, afterAnswer } = await timeToAppear(page, site, 'Arrived while the queue was polled');
    process.stdout.write(`      a new item appeared ${ms} ms after it was posted, ${afterAnswer} ms after the post was answered (polling every 3 s)\n`);
    await live(page, /1 new item/);
    await context.close();
  });

  it('opens a conversation and moderates in place, searches, keeps a watch list, and features a comment', async () => {
    const site = (await createTestSite({ premoderation: 'none' })).id;
    const mod = await createTestUser({ role: 'moderator', moderatedSiteIds: [site] });
    const root = await insertComment(site, { status: 'approved', articleId: 'quay', body: 'Root of the quay debate' });
    const reply = await insertComment(site, { status: 'pending', articleId: 'quay', body: 'A held reply about the quay' });
    await CommentModel.updateOne({ _id: reply }, { $set: { parentId: root, rootId: root, depth: 1 } });
    await CommentModel.updateOne({ _id: root }, { $set: { rootId: root } });
    const { context, page } = await openConsole(browser, stack, mod, `#/site/${site}/conversation/${reply}`);
    await page.getByRole('heading', { name: 'Conversation' }).waitFor();
    const held = page.locator(`.item[data-id="${reply}"]`);
    await held.getByRole('button', { name: 'Approve' }).click();
    await live(page, /Approved/);
    await page.locator(`.item[data-id="${reply}"] .status`).filter({ hasText: 'approved' }).waitFor();
    await page.locator(`.item[data-id="${root}"]`).getByRole('button', { name: 'Feature' }).click();
    await live(page, /Featured/);
    await page.locator(`.item[data-id="${root}"] .featured`).waitFor();
    const featured = await (await fetch(`${stack.serviceUrl}/api/v1/sites/${site}/articles/quay/featured`)).json();
    expect(featured.comments.map((c: { id: string }) => c.id)).to.deep.equal([root]);

    await page.goto(`${stack.serviceUrl}/moderate#/site/${site}/search`);
    await page.getByLabel('Text').fill('held reply');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 found').waitFor();

    await page.goto(`${stack.serviceUrl}/moderate#/site/${site}/queue/pending/watch`);
    await insertComment(site, { articleId: 'storm', body: 'Watched storm comment' });
    await insertComment(site, { articleId: 'calm', body: 'Unwatched calm comment' });
    await page.getByLabel(/Watched articles/).fill('storm');
    await page.getByRole('button', { name: 'Save watch list' }).click();
    await page.getByText('Watched storm comment').waitFor();
    expect(await page.getByText('Unwatched calm comment').count()).to.equal(0);
    await context.close();
  });

  it('shows featured comments first in the widget, under their own tab', async () => {
    const plain = await insertComment(siteId, { status: 'approved', articleId: 'picks-night', body: 'An ordinary remark on the night market.' });
    const pick = await insertComment(siteId, { status: 'approved', articleId: 'picks-night', body: 'An editors pick about the night market.' });
    await CommentModel.updateOne({ _id: plain }, { $set: { html: '<p>An ordinary remark, rendered.</p>' } });
    await CommentModel.updateOne({ _id: pick }, { $set: { html: '<p>The editors pick, rendered.</p>' } });
    const res = await fetch(`${stack.serviceUrl}/api/v1/comments/${pick}/featured`, { method: 'PUT', headers: { Authorization: `Bearer ${moderator.token}` } });
    expect(res.status).to.equal(200);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(stack.articleUrl('picks-night'));
    const featuredTab = page.getByRole('tab', { name: 'Featured (1)' });
    await featuredTab.waitFor();
    expect(await featuredTab.getAttribute('aria-selected')).to.equal('true');
    await page.getByRole('tabpanel', { name: 'Featured comments' }).getByText('The editors pick, rendered.').waitFor();
    await page.getByRole('tab', { name: 'All comments' }).click();
    expect(await page.getByRole('tabpanel', { name: 'Featured comments' }).isHidden()).to.equal(true);
    await context.close();
  });

  it('lets an admin change settings, add a moderator and copy the embed snippet', async () => {
    const helper = await createTestUser({ displayName: 'Hattie Helper' });
    const { context, page } = await openConsole(browser, stack, admin, `#/site/${siteId}/settings`);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.serviceUrl });
    await page.getByRole('heading', { name: /Settings/ }).waitFor();
    await page.getByLabel('Pre-moderation').selectOption('first-comment');
    await page.getByLabel('Suspect words (one per line)').fill('casino\nlottery');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await live(page, 'Settings saved.');
    const site = await (await fetch(`${stack.serviceUrl}/api/v1/sites/${siteId}`, { headers: { Authorization: `Bearer ${admin.token}` } })).json();
    expect(site.settings).to.include({ premoderation: 'first-comment' });
    expect(site.settings.suspectWords).to.deep.equal(['casino', 'lottery']);

    await page.getByLabel('Find a person by email or name').fill(helper.email);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: `Make ${helper.displayName} a moderator` }).click();
    await page.getByRole('list', { name: 'Moderators' }).getByText(helper.displayName).waitFor();

    expect(await page.locator('#embed-snippet').textContent()).to.include(`data-site="${siteId}"`);
    await page.getByRole('button', { name: 'Copy snippet' }).click();
    await live(page, /Snippet (copied|selected)/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'console-settings.png'), fullPage: true });
    await context.close();
  });
});
