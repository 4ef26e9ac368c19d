import { Router, type Response } from 'express';
import type { AppContext } from '../context';
import { widgetAuthCors } from './authCors';
import { widgetBundles, type WidgetFile } from './bundle';
import { DEMO_ARTICLE_ID, ensureDemoSite } from './demoSite';
import { demoPage, PAGE_CSS } from './pages';

/** Sites cache the scripts briefly, so a fix reaches every page within minutes. */
const SCRIPT_CACHE = 'public, max-age=300';

/** The embeddable widget: its scripts and (outside production) a demo page. */
export function widgetRoutes({ config }: AppContext): Router {
  const router = Router();
  const production = config.NODE_ENV === 'production';
  const bundle = widgetBundles(production);
  router.use('/api/v1/auth', widgetAuthCors(config.PUBLIC_URL));

  const sendScript = async (res: Response, file: WidgetFile): Promise<void> => {
    const code = await bundle(file);
    res.type('application/javascript').set('Cache-Control', SCRIPT_CACHE).send(code);
  };
  router.get('/embed.js', (_req, res) => sendScript(res, 'embed.js'));
  router.get('/embed/count.js', (_req, res) => sendScript(res, 'count.js'));
  router.get('/embed/page.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', SCRIPT_CACHE).send(PAGE_CSS);
  });

  if (!production) {
    let demoSiteId: Promise<string> | null = null;
    router.get('/demo', async (_req, res) => {
      demoSiteId ??= ensureDemoSite(config.PUBLIC_URL);
      demoSiteId.catch(() => {
        demoSiteId = null;
      });
      const siteId = await demoSiteId;
      res.type('html').set('Cache-Control', 'no-store').send(demoPage({ siteId, articleId: DEMO_ARTICLE_ID }));
    });
  }
  return router;
}
