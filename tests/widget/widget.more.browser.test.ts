import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { Types } from 'mongoose';
import { UserModel } from '../../src/accounts/user.model';
import { CommentModel } from '../../src/comments/comment.model';
import { updateSiteSettings } from '../../src/sites/service';
import { createTestUser } from '../support/fixtures';
import { startWidgetStack, useChromiumStack, type WidgetStack } from './browserStack';
import { apiPost, apiVote, focusedInWidget, openSignedIn, postComment, rootBodies, waitForStatus } from './widgetHelpers';

const BANNED_WORD = 'bilgewater';
const HELD_WORD = 'moonraker';
/** The service's longest comment (see the comment schemas), plus one. */
const TOO_LONG = 5001;

async function statusOf(page: Page): Promise<{ text: string; kind: string | null; live: string | null; role: string | null }> {
  const status = page.locator('#comments .status');
  return {
    text: (await status.textContent()) ?? '',
    kind: await status.getAttribute('data-kind'),
    live: await status.getAttribute('aria-live'),
    role: await status.getAttribute('role'),
  };
}

describe('embedded widget in Chromium: editing, paging, sorting and errors', function () {
  this.timeout(120_000);
  let stack: WidgetStack;
  let page: Page;

  useChromiumStack(
    { site: { bannedWords: [BANNED_WORD], suspectWords: [HELD_WORD] }, perTest: { timeoutMs: 10_000 } },
    {
      started: (started) => ({ stack } = started),
      opened: (opened) => ({ page } = opened),
    },
  );

  it('reaches and submits the post form with the keyboard alone, announcing the result in the live region', async () => {
    const reader = await createTestUser({ displayName: 'Keyboard Kestrel' });
    await openSignedIn(page, stack, 'keyboard-only', reader);
    // Start from the top of the host page, as a keyboard user arriving on the article would.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    let reached = false;
    for (let presses = 0; presses < 12 && !reached; presses += 1) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate(() => {
        const active = document.querySelector('#comments')?.shadowRoot?.activeElement;
        return active?.tagName === 'TEXTAREA';
      })) as boolean;
    }
    expect(reached, 'Tab reaches the comment box').to.equal(true);
    await page.keyboard.type('Typed without a mouse: the ferry timetable is wrong again.');
    await page.keyboard.press('Tab');
    expect(await focusedInWidget(page)).to.match(/^button#\|Post comment$/);
    await page.keyboard.press('Enter');

    await waitForStatus(page, 'Your comment was posted.');
    const status = await statusOf(page);
    expect(status.live).to.equal('polite');
    expect(status.role).to.equal('status');
    expect(status.kind).to.equal('success');
    expect(await focusedInWidget(page)).to.match(/^article#tl-comment-/);
    await page.locator('#comments article').filter({ hasText: 'ferry timetable' }).waitFor();
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal('');
  });

  it('edits the reader\'s own comment within the edit window and marks it edited', async () => {
    const reader = await createTestUser({ displayName: 'Editing Egret' });
    await openSignedIn(page, stack, 'edit-window', reader);
    await postComment(page, 'The pier lights go off at nine.');
    await waitForStatus(page, 'Your comment was posted.');

    const comment = page.locator('#comments article').filter({ hasText: 'pier lights' });
    await comment.getByRole('button', { name: 'Edit', exact: true }).click();
    const editor = page.getByLabel('Edit your comment');
    expect(await editor.inputValue()).to.equal('The pier lights go off at nine.');
    expect(await focusedInWidget(page)).to.match(/^textarea#/);
    await editor.fill('The pier lights go off at ten, not nine.');
    await page.getByRole('button', { name: 'Save changes' }).click();

    await waitForStatus(page, 'Your comment was updated.');
    const edited = page.locator('#comments article').filter({ hasText: 'at ten, not nine' });
    await edited.getByText('(edited)').waitFor();
    expect(await page.getByLabel('Edit your comment').count(), 'the editor closes').to.equal(0);

    await page.reload();
    await page.locator('#comments article').filter({ hasText: 'at ten, not nine' }).getByText('(edited)').waitFor();
    expect(await page.locator('#comments article').filter({ hasText: 'go off at nine.' }).count()).to.equal(0);
  });

  it('offers no Edit once the edit window has passed, but still offers Delete', async () => {
    const reader = await createTestUser({ displayName: 'Late Lapwing' });
    const article = 'edit-window-over';
    const old = await apiPost(stack, reader, article, 'Written before the window closed.');
    // Straight to the collection: the model keeps createdAt immutable.
    await CommentModel.collection.updateOne(
      { _id: new Types.ObjectId(old.id) },
      { $set: { createdAt: new Date(Date.now() - 10 * 60 * 1000) } },
    );
    await openSignedIn(page, stack, article, reader);
    const own = page.locator(`#tl-comment-${old.id}`);
    await own.getByRole('button', { name: 'Delete', exact: true }).waitFor();
    expect(await own.getByRole('button', { name: 'Edit', exact: true }).count()).to.equal(0);
  });

  it("follows the site's own edit window: a longer one keeps Edit on a ten-minute-old comment", async () => {
    const reader = await createTestUser({ displayName: 'Patient Plover' });
    const article = 'edit-window-long';
    const old = await apiPost(stack, reader, article, 'Written a while ago, still editable here.');
    await CommentModel.collection.updateOne(
      { _id: new Types.ObjectId(old.id) },
      { $set: { createdAt: new Date(Date.now() - 10 * 60 * 1000) } },
    );
    await updateSiteSettings(stack.siteId, { editWindowSeconds: 3600 });
    try {
      await openSignedIn(page, stack, article, reader);
      await page.locator(`#tl-comment-${old.id}`).getByRole('button', { name: 'Edit', exact: true }).waitFor();
    } finally {
      await updateSiteSettings(stack.siteId, { editWindowSeconds: 300 });
    }
  });

  it('holds an edit that needs moderation and says so', async () => {
    const reader = await createTestUser({ displayName: 'Second Thoughts' });
    await openSignedIn(page, stack, 'edit-held', reader);
    await postComment(page, 'Nothing to see on the quay tonight.');
    await waitForStatus(page, 'Your comment was posted.');
    const comment = page.locator('#comments article').filter({ hasText: 'quay tonight' });
    await comment.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByLabel('Edit your comment').fill(`Actually the ${HELD_WORD} is moored on the quay tonight.`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await waitForStatus(page, 'Your edit is held for moderation.');
    await page.locator('#comments article[data-status="pending"]').filter({ hasText: 'moored' }).getByText('Awaiting moderation').waitFor();
  });

  it('deletes the reader\'s comment after confirming, leaving a tombstone above its replies', async () => {
    const reader = await createTestUser({ displayName: 'Deleting Dunlin' });
    const neighbour = await createTestUser({ displayName: 'Replying Redshank' });
    const article = 'delete-tombstone';
    const parent = await apiPost(stack, reader, article, 'I regret saying the chowder was cold.');
    await apiPost(stack, neighbour, article, 'It was lukewarm at best, to be fair.', parent.id);
    await openSignedIn(page, stack, article, reader);
    await page.getByRole('heading', { name: '2 comments' }).waitFor();

    const own = page.locator(`#tl-comment-${parent.id}`);
    await own.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('group', { name: 'Confirm delete' });
    await confirm.waitFor();
    expect(await focusedInWidget(page)).to.match(/Yes, delete it$/);
    await confirm.getByRole('button', { name: 'Yes, delete it' }).click();

    await waitForStatus(page, 'Your comment was deleted.');
    await own.getByText('This comment was deleted.').waitFor();
    expect(await own.textContent()).not.to.include('chowder');
    expect(await own.getByRole('button').count(), 'a tombstone has no actions').to.equal(0);
    await page.getByRole('heading', { name: '1 comment' }).waitFor();
    await page.locator('#comments ol.replies article').filter({ hasText: 'lukewarm at best' }).waitFor();

    await page.reload();
    await page.locator(`#tl-comment-${parent.id}`).getByText('This comment was deleted.').waitFor();
    await page.locator('#comments ol.replies article').filter({ hasText: 'lukewarm at best' }).waitFor();
    expect(await page.locator('#comments').textContent()).not.to.include('chowder');
  });

  it('cancelling a delete keeps the comment and returns focus to it', async () => {
    const reader = await createTestUser({ displayName: 'Hesitant Heron' });
    const article = 'delete-cancel';
    const mine = await apiPost(stack, reader, article, 'Keep this one about the tide tables.');
    await openSignedIn(page, stack, article, reader);
    const own = page.locator(`#tl-comment-${mine.id}`);
    await own.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('group', { name: 'Confirm delete' }).getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('group', { name: 'Confirm delete' }).count()).to.equal(0);
    expect(await focusedInWidget(page)).to.match(new RegExp(`^article#tl-comment-${mine.id}`));
    await own.getByText('tide tables').waitFor();
  });

  it('loads more comments page by page without repeating any', async () => {
    const writer = await createTestUser({ displayName: 'Prolific Puffin' });
    const article = 'load-more-paging';
    const total = 23;
    for (let n = 1; n <= total; n += 1) {
      await apiPost(stack, writer, article, `Harbour note number ${String(n).padStart(2, '0')}.`);
    }
    await page.goto(stack.articleUrl(article));
    await page.getByRole('heading', { name: `${total} comments` }).waitFor();
    const more = page.getByRole('button', { name: 'Load more comments' });
    await more.waitFor();
    expect(await rootBodies(page)).to.have.length(20);

    await more.click();
    await page.locator('#comments article').filter({ hasText: 'number 23' }).waitFor();
    const bodies = await rootBodies(page);
    expect(bodies).to.have.length(total);
    expect(new Set(bodies).size, 'no comment is listed twice').to.equal(total);
    expect(bodies[0]).to.include('number 01');
    expect(bodies[total - 1]).to.include('number 23');
    await more.waitFor({ state: 'hidden' });
    await page.getByRole('heading', { name: `${total} comments` }).waitFor();
  });

  it('switches between oldest, newest and top-rated order', async () => {
    const article = 'sort-switch';
    const writer = await createTestUser({ displayName: 'Sorting Shag' });
    const first = await apiPost(stack, writer, article, 'Alpha: the first word on the regatta.');
    const middle = await apiPost(stack, writer, article, 'Bravo: the regatta route is new.');
    await apiPost(stack, writer, article, 'Charlie: last in, on the regatta prizes.');
    for (const name of ['Voter One', 'Voter Two']) {
      await apiVote(stack, await createTestUser({ displayName: name }), middle.id);
    }
    await apiVote(stack, await createTestUser({ displayName: 'Voter Three' }), first.id);

    await page.goto(stack.articleUrl(article));
    await page.getByRole('heading', { name: '3 comments' }).waitFor();
    const order = async (): Promise<string[]> => (await rootBodies(page)).map((body) => body.split(':')[0]);
    expect(await order()).to.deep.equal(['Alpha', 'Bravo', 'Charlie']);

    const sort = page.getByLabel('Sort comments');
    await sort.selectOption('newest');
    await page.waitForFunction(() => {
      const first = document.querySelector('#comments')?.shadowRoot?.querySelector('ol.thread > li .body');
      return first?.textContent?.startsWith('Charlie') ?? false;
    });
    expect(await order()).to.deep.equal(['Charlie', 'Bravo', 'Alpha']);

    await sort.selectOption('top');
    await page.waitForFunction(() => {
      const first = document.querySelector('#comments')?.shadowRoot?.querySelector('ol.thread > li .body');
      return first?.textContent?.startsWith('Bravo') ?? false;
    });
    expect(await order()).to.deep.equal(['Bravo', 'Alpha', 'Charlie']);

    await sort.selectOption('oldest');
    await page.waitForFunction(() => {
      const first = document.querySelector('#comments')?.shadowRoot?.querySelector('ol.thread > li .body');
      return first?.textContent?.startsWith('Alpha') ?? false;
    });
    expect(await order()).to.deep.equal(['Alpha', 'Bravo', 'Charlie']);
  });

  it('says plainly when a comment is rejected for a banned word, keeping the draft', async () => {
    const reader = await createTestUser({ displayName: 'Salty Sandpiper' });
    await openSignedIn(page, stack, 'rejected-word', reader);
    const draft = `The ${BANNED_WORD} smell by the slipway is back.`;
    await postComment(page, draft);
    await waitForStatus(page, /not accepted/);
    const status = await statusOf(page);
    expect(status.kind).to.equal('error');
    expect(status.text).to.include('a word this site does not allow');
    expect(status.text, 'no internal reason code').not.to.match(/banned-word|[a-z]+-[a-z]+:/);
    // Shown beside the form it concerns, too.
    await page.locator('#comments .compose .note').filter({ hasText: 'not accepted' }).waitFor();
    expect(status.text.match(/not accepted/g), 'the reason is said once').to.have.length(1);
    expect(await page.getByLabel('Add a comment').inputValue(), 'the draft stays for fixing').to.equal(draft);
    expect(await page.locator('#comments article').count()).to.equal(0);
    await page.getByRole('heading', { name: '0 comments' }).waitFor();
  });

  it('tells the reader a comment is held for moderation and shows it only to them', async () => {
    const reader = await createTestUser({ displayName: 'Patient Plover' });
    await openSignedIn(page, stack, 'held-comment', reader);
    await postComment(page, `A ${HELD_WORD} was spotted off the breakwater.`);
    await waitForStatus(page, 'held for moderation');
    expect((await statusOf(page)).kind).to.equal('info');
    await page.locator('#comments article[data-status="pending"]').filter({ hasText: 'breakwater' }).getByText('Awaiting moderation').waitFor();
    await page.getByRole('heading', { name: '0 comments' }).waitFor();
  });

  it('counts characters near the limit and refuses a comment that is too long without cutting it', async () => {
    const reader = await createTestUser({ displayName: 'Verbose Vireo' });
    await openSignedIn(page, stack, 'too-long', reader);
    const box = page.getByLabel('Add a comment');
    const counter = page.locator('#comments .compose .counter');
    await box.fill('w'.repeat(4000));
    expect(await counter.textContent(), 'no counter far from the limit').to.equal('');
    await box.fill('w'.repeat(4700));
    await counter.filter({ hasText: '300 characters left' }).waitFor();
    // Pasted text past the limit stays whole: the reader decides what to cut.
    await box.focus();
    await page.keyboard.insertText('w'.repeat(TOO_LONG - 4700 + 49));
    expect((await box.inputValue()).length, 'nothing is cut silently').to.equal(TOO_LONG + 49);
    await counter.filter({ hasText: '50 characters too many' }).waitFor();
    await page.getByRole('button', { name: 'Post comment' }).click();
    await waitForStatus(page, /50 characters too long/);
    const status = await statusOf(page);
    expect(status.kind).to.equal('error');
    await page.locator('#comments .compose .note').filter({ hasText: 'too long' }).waitFor();
    expect(await page.locator('#comments article').count()).to.equal(0);
  });

  it('tells a banned reader they cannot comment', async () => {
    const reader = await createTestUser({ displayName: 'Banished Bittern' });
    await openSignedIn(page, stack, 'banned-reader', reader);
    // A ban recorded while this session was issued (ban endpoint sessions end at once; see the next test).
    await UserModel.updateOne({ _id: reader.id }, { $set: { banned: true, banReason: 'test ban' } });
    await postComment(page, 'Why can I not post about the lifeboat day?');
    await waitForStatus(page, 'banned from commenting');
    expect((await statusOf(page)).kind).to.equal('error');
    expect(await page.locator('#comments article').count()).to.equal(0);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  it('signs a reader out when a moderator\'s ban ends their session', async () => {
    const reader = await createTestUser({ displayName: 'Ousted Ouzel' });
    const admin = await createTestUser({ role: 'admin', displayName: 'Harbour Admin' });
    await openSignedIn(page, stack, 'banned-by-moderator', reader);
    const response = await fetch(`${stack.serviceUrl}/api/v1/users/${reader.id}/ban`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ reason: 'spam run' }),
    });
    expect(response.status).to.equal(200);
    await postComment(page, 'One more about the lifeboat day.');
    await waitForStatus(page, 'Your session has ended');
    expect((await statusOf(page)).kind).to.equal('error');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).waitFor();
    expect(await page.locator('#comments article').count()).to.equal(0);
  });

  describe('with rate limits on', () => {
    let limited: WidgetStack;

    before(async () => {
      // One post per reader per day-long window, so the window cannot roll over between two posts.
      limited = await startWidgetStack(
        {},
        {
          RATE_LIMITS_ENABLED: 'true',
          RATE_LIMIT_WINDOW_SECONDS: '86400',
          RATE_LIMIT_COMMENTS_PER_USER: '1',
          RATE_LIMIT_COMMENTS_PER_IP: '100000',
        },
      );
    });

    after(async () => {
      await limited?.stop();
    });

    it('tells the reader to slow down, with a readable wait', async () => {
      const reader = await createTestUser({ displayName: 'Hasty Heron' });
      await openSignedIn(page, limited, 'rate-limited', reader);
      await postComment(page, 'First thought on the swing bridge.');
      await waitForStatus(page, 'Your comment was posted.');
      await postComment(page, 'Second thought, too soon.');
      await waitForStatus(page, /too often/);
      const status = await statusOf(page);
      expect(status.kind).to.equal('error');
      const wait = /Try again in (\d+) (second|minute|hour)s?\./.exec(status.text);
      expect(wait, status.text).to.not.equal(null);
      // The window lasts a day: the wait is told in hours or minutes, not tens of thousands of seconds.
      if (wait?.[2] === 'second') expect(Number(wait[1])).to.be.below(120);
      if (wait?.[2] === 'minute') expect(Number(wait[1])).to.be.below(120);
      expect(await page.getByLabel('Add a comment').inputValue()).to.equal('Second thought, too soon.');
      expect(await page.locator('#comments article').filter({ hasText: 'too soon' }).count()).to.equal(0);
    });
  });
});
