import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { testApp } from '../support/app';
import { createTestSite } from '../support/fixtures';
import { startOAuthServer, type TestOAuthServer } from '../support/oauthServer';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Fails loudly: a missing browser must never turn the widget tests into silent passes. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. The widget tests need a real browser: ` +
        'install the "chromium" system package or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

async function listen(server: Server, host?: string): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export interface WidgetStack {
  /** The service, on http://localhost:<port>. */
  serviceUrl: string;
  /** A news site on another origin (http://127.0.0.1:<port>) that embeds the widget. */
  hostUrl: string;
  siteId: string;
  smtp: TestSmtpServer;
  oauth: TestOAuthServer;
  articleUrl(articleId: string): string;
  stop(): Promise<void>;
}

/** A host page styled to fight the widget: its rules must not reach inside the shadow root. */
const HOSTILE_CSS = '* { color: rgb(255, 0, 0) !important; font-family: cursive !important; } button { display: none !important; }';

/** A plain news page for theme checks: light by default, dark with body.dark. */
const THEMED_CSS = 'body { margin: 0; padding: 1rem; font-family: Georgia, serif; background: #f4f1ea; color: #222; } body.dark { background: #0d1117; color: #ddd; }';

/**
 * The real service on a real port, plus a separate host site, mail server and Facebook stand-in.
 * `appOverrides` are extra configuration variables for the service (e.g. rate limits).
 */
export async function startWidgetStack(
  siteSettings: Record<string, unknown> = {},
  appOverrides: Record<string, string> = {},
): Promise<WidgetStack> {
  const smtp = await startSmtpServer();
  const oauth = await startOAuthServer();

  const serviceServer = createServer();
  const servicePort = await listen(serviceServer);
  const serviceUrl = `http://localhost:${servicePort}`;
  serviceServer.on('request', testApp({ PUBLIC_URL: serviceUrl, SMTP_URL: smtp.url, ...oauth.env, ...appOverrides }));

  const host = express();
  const hostServer = createServer(host);
  const hostPort = await listen(hostServer, '127.0.0.1');
  const hostUrl = `http://127.0.0.1:${hostPort}`;
  const site = await createTestSite(siteSettings, [hostUrl]);

  host.get('/host.css', (_req, res) => {
    res.type('text/css').send(HOSTILE_CSS);
  });
  host.get('/themed.css', (_req, res) => {
    res.type('text/css').send(THEMED_CSS);
  });
  host.get('/news/:articleId', (req, res) => {
    const article = encodeURIComponent(req.params.articleId);
    // ?theme=light|dark|auto sets the widget's data-theme; ?page=dark paints the host page dark.
    const theme = typeof req.query.theme === 'string' && /^(light|dark|auto)$/.test(req.query.theme) ? req.query.theme : null;
    const darkPage = req.query.page === 'dark';
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Harbour news</title><link rel="stylesheet" href="${theme || darkPage ? '/themed.css' : '/host.css'}"></head>
<body${darkPage ? ' class="dark"' : ''}>
<h1>Night market moves to the old rope works</h1>
<p>Comments: <span id="count" data-comment-count data-site="${site.id}" data-article="${article}">…</span></p>
<div id="comments" data-site="${site.id}" data-article="${article}"${theme ? ` data-theme="${theme}"` : ''}></div>
<script src="${serviceUrl}/embed.js" async></script>
<script src="${serviceUrl}/embed/count.js" async></script>
</body></html>`);
  });

  return {
    serviceUrl,
    hostUrl,
    siteId: site.id,
    smtp,
    oauth,
    articleUrl: (articleId) => `${hostUrl}/news/${encodeURIComponent(articleId)}`,
    async stop() {
      await Promise.all([close(serviceServer), close(hostServer), smtp.close(), oauth.close()]);
    },
  };
}

/** What a browser test suite gets from useChromiumStack: the running service and host page, and the browser. */
export interface ChromiumStack {
  stack: WidgetStack;
  browser: Browser;
}

/** A fresh browser context and page, opened before each test and closed after it. */
export interface ChromiumPage {
  context: BrowserContext;
  page: Page;
}

/**
 * The mocha setup every browser test file shares, in one place: before the suite, Chromium and the widget
 * stack (service, host page, mail and OAuth servers) start; after it, both stop. With `perTest`, each test
 * gets its own context and page (closed after the test). The callbacks hand the handles to the suite's own
 * variables, so tests read them as before.
 */
export function useChromiumStack(
  options: {
    site?: Record<string, unknown>;
    app?: Record<string, string>;
    perTest?: { context?: BrowserContextOptions; timeoutMs?: number };
  },
  handlers: { started: (started: ChromiumStack) => void; opened?: (opened: ChromiumPage) => void },
): void {
  let browser: Browser | null = null;
  let stack: WidgetStack | null = null;
  let context: BrowserContext | null = null;
  before(async () => {
    browser = await launchChromium();
    stack = await startWidgetStack(options.site, options.app);
    handlers.started({ stack, browser });
  });
  const perTest = options.perTest;
  if (perTest) {
    beforeEach(async () => {
      if (!browser) throw new Error('the browser did not start');
      context = await browser.newContext(perTest.context);
      const page = await context.newPage();
      page.setDefaultTimeout(perTest.timeoutMs ?? 10_000);
      handlers.opened?.({ context, page });
    });
    afterEach(async () => {
      await context?.close();
      context = null;
    });
  }
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });
}
