import { Router } from 'express';
import type { AppContext } from '../context';
import { consoleScript } from './bundle';
import { CONSOLE_CSS } from './styles';

/** The page is a shell: no data and no inline script, so the strict CSP of the whole service applies. */
const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Threadline moderation</title>
<link rel="stylesheet" href="/moderate/console.css">
<script src="/moderate/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="bar"><strong>Threadline</strong> <span>moderation</span><nav id="nav" aria-label="Console"></nav></header>
<div id="live" class="sr-only" role="status" aria-live="polite"></div>
<main id="main" tabindex="-1"><p>Loading the console…</p><noscript>The console needs JavaScript.</noscript></main>
</body>
</html>
`;

const ASSET_CACHE = 'no-cache';

/** The moderator console: one page, its script and its stylesheet, all from this origin. */
export function consoleRoutes({ config }: Pick<AppContext, 'config'>): Router {
  const router = Router();
  const script = consoleScript(config.NODE_ENV === 'production');
  router.get('/moderate', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-store').send(CONSOLE_PAGE);
  });
  router.get('/moderate/console.js', async (_req, res) => {
    res.type('application/javascript').set('Cache-Control', ASSET_CACHE).send(await script());
  });
  router.get('/moderate/console.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', ASSET_CACHE).send(CONSOLE_CSS);
  });
  return router;
}
