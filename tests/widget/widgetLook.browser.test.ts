import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useChromiumStack, type WidgetStack } from './browserStack';
import { axeViolations, createRichThread, HELD_WORD, type RichThread } from './widgetFixtures';
import { openSignedIn, screenshot } from './widgetHelpers';

const SIZES = [
  { width: 1280, height: 900, touch: false },
  { width: 375, height: 812, touch: true },
];
const SCHEMES = ['light', 'dark'] as const;

async function scheme(page: Page): Promise<string | null> {
  return page.locator('#comments').getAttribute('data-tl-scheme');
}

/** Hit targets smaller than `min` px in either direction: every visible button, link and summary in the widget. */
async function smallTargets(page: Page, min: number): Promise<string[]> {
  return page.evaluate((least) => {
    const root = document.querySelector('#comments')?.shadowRoot;
    if (!root) return ['no widget'];
    const small: string[] = [];
    for (const element of Array.from(root.querySelectorAll<HTMLElement>('button, a, summary, select'))) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (box.width < least || box.height < least) small.push(`${element.tagName} "${element.textContent?.trim() ?? ''}" ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
    return small;
  }, min);
}

/** Themes, contrast and size: the whole widget at desktop and phone width, light and dark, checked by axe-core. */
describe('embedded widget in Chromium: themes, contrast and hit targets', function () {
  this.timeout(180_000);
  let stack: WidgetStack;
  let browser: Browser;
  let thread: RichThread;
  let context: BrowserContext;
  let page: Page;

  useChromiumStack(
    { site: { suspectWords: [HELD_WORD] } },
    {
      started: (started) => ({ stack, browser } = started),
    },
  );

  before(async () => {
    thread = await createRichThread(stack, 'themes-and-contrast');
  });

  afterEach(async () => {
    await context?.close();
  });

  for (const size of SIZES) {
    for (const wanted of SCHEMES) {
      it(`${wanted} at ${size.width} px: no axe-core violation, targets of at least ${size.touch ? 44 : 24} px, screenshot`, async () => {
        context = await browser.newContext({ viewport: { width: size.width, height: size.height }, hasTouch: size.touch, isMobile: size.touch });
        page = await context.newPage();
        page.setDefaultTimeout(15_000);
        const url = `${stack.articleUrl(thread.article)}?theme=${wanted}${wanted === 'dark' ? '&page=dark' : ''}`;
        await openSignedIn(page, stack, thread.article, thread.reader, url);
        await page.getByRole('button', { name: /^Show \d+ more repl/ }).waitFor();
        expect(await scheme(page)).to.equal(wanted);
        // Open the parts that are hidden at first, so they are checked too.
        await page.getByText('Formatting help').first().click();
        await page.getByRole('button', { name: 'Reply to Quinn Neighbour' }).first().click();
        expect(await axeViolations(page), 'axe-core').to.deep.equal([]);
        expect(await smallTargets(page, size.touch ? 44 : 24), 'hit targets').to.deep.equal([]);
        await screenshot(page, `widget-${wanted}-${size.width}`);
      });
    }
  }

  it('signed out, on a phone in the dark: no violation either', async () => {
    context = await browser.newContext({ viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true });
    page = await context.newPage();
    await page.goto(`${stack.articleUrl(thread.article)}?theme=dark&page=dark`);
    await page.getByRole('heading', { name: /comments$/ }).waitFor();
    expect(await axeViolations(page)).to.deep.equal([]);
    await screenshot(page, 'widget-signed-out-dark-375');
  });

  it('auto follows the host page background, and a site can override colours, font and radius', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${stack.articleUrl('empty-auto')}?theme=auto&page=dark`);
    await page.getByText('Be the first to comment.').waitFor();
    expect(await scheme(page)).to.equal('dark');
    await page.goto(`${stack.articleUrl('empty-auto')}?theme=auto`);
    await page.getByText('Be the first to comment.').waitFor();
    expect(await scheme(page)).to.equal('light');
    // Switching data-theme later takes effect at once.
    await page.evaluate(() => document.querySelector('#comments')?.setAttribute('data-theme', 'dark'));
    await page.waitForFunction(() => document.querySelector('#comments')?.getAttribute('data-tl-scheme') === 'dark');

    await page.addStyleTag({ content: '#comments { --tl-accent: rgb(128, 0, 64); --tl-accent-text: rgb(255, 255, 255); --tl-font: Georgia, serif; --tl-radius: 0px; }' });
    const look = await page.evaluate(() => {
      const root = document.querySelector('#comments')?.shadowRoot;
      const primary = root?.querySelector('button.primary');
      const section = root?.querySelector('.tl');
      if (!primary || !section) return null;
      return { accent: getComputedStyle(primary).backgroundColor, font: getComputedStyle(section).fontFamily, radius: getComputedStyle(section).borderTopLeftRadius };
    });
    expect(look).to.deep.equal({ accent: 'rgb(128, 0, 64)', font: 'Georgia, serif', radius: '0px' });
    await screenshot(page, 'widget-custom-properties-1280');
  });

  it('the contrast check can fail: a pale override is reported', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${stack.articleUrl(thread.article)}?theme=light`);
    await page.getByRole('heading', { name: /comments$/ }).waitFor();
    await page.addStyleTag({ content: '#comments { --tl-muted: #d0d0d0; }' });
    const violations = await axeViolations(page);
    expect(violations.map((violation) => violation.id)).to.include('color-contrast');
  });
});
