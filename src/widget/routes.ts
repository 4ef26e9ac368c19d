import type { Response, Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { tracked } from '../http/inFlight';
import { documentedRouter } from '../openapi/declare';
import { widgetAuthCors } from './authCors';
import { widgetBundles, type WidgetFile } from './bundle';
import { DEMO_ARTICLE_ID, ensureDemoSite } from './demoSite';
import { demoPage, PAGE_CSS } from './pages';

/** Sites cache the scripts briefly, so a fix reaches every page within minutes. */
const SCRIPT_CACHE = 'public, max-age=300';

/** The embeddable widget: its scripts and (outside production) a demo page. */
export function widgetRoutes({ config }: AppContext): Router {
  const api = documentedRouter('');
  const router = api.router;
  const production = config.NODE_ENV === 'production';
  const bundle = widgetBundles(production);
  router.use('/api/v1/auth', widgetAuthCors(config.PUBLIC_URL));

  const sendScript = async (res: Response, file: WidgetFile): Promise<void> => {
    const code = await bundle(file);
    res.type('application/javascript').set('Cache-Control', SCRIPT_CACHE).send(code);
  };
  const script = (operationId: string, summary: string) => ({
    operationId,
    summary,
    tags: ['widget'],
    responses: { 200: { description: 'JavaScript.', contentType: 'application/javascript', schema: z.string() } },
  });
  api.get('/embed.js', script('widgetScript', 'The comments widget script sites put on their pages.'), (_req, res) =>
    sendScript(res, 'embed.js'),
  );
  api.get(
    '/embed/count.js',
    script('countScript', 'Fills every [data-comment-count][data-site][data-article] element with its count.'),
    (_req, res) => sendScript(res, 'count.js'),
  );
  router.get('/embed/page.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', SCRIPT_CACHE).send(PAGE_CSS);
  });

  if (!production) {
    let demoSiteId: Promise<string> | null = null;
    // Not a documented route, but it may write the demo site: counted like those.
    router.get('/demo', tracked(async (_req, res) => {
      demoSiteId ??= ensureDemoSite(config.PUBLIC_URL);
      demoSiteId.catch(() => {
        demoSiteId = null;
      });
      const siteId = await demoSiteId;
      res.type('html').set('Cache-Control', 'no-store').send(demoPage({ siteId, articleId: DEMO_ARTICLE_ID }));
    }));
  }
  return router;
}
