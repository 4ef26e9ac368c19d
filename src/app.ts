import express, { type Express } from 'express';
import { authenticate } from './accounts/authenticate';
import { accountRoutes } from './accounts/routes';
import { adminRoutes } from './admin/routes';
import type { AppContext } from './context';
import { healthRoutes } from './health/routes';
import { moderationRoutes } from './moderation/routes';
import { queueEventRoutes } from './moderation/queueEvents';
import { notFoundHandler, problemHandler } from './http/problem';
import { rejectOperatorKeys } from './http/rejectOperators';
import { accountPageRoutes } from './accounts/accountPage';
import { liveRoutes } from './live/routes';
import { notificationRoutes } from './notifications/routes';
import { requestLogging } from './http/requestLogging';
import { securityHeaders } from './http/securityHeaders';
import { jsonBody, requireJsonBody } from './http/requireJson';
import { siteCors } from './sites/cors';
import { siteRoutes } from './sites/routes';
import { commentRoutes } from './comments/routes';
import { configurePageCache } from './comments/thread';
import { startChangeFeed } from './changes/feed';
import { widgetRoutes } from './widget/routes';
import { openApiRoutes } from './openapi/routes';
import { consoleRoutes } from './console/routes';
import { httpMetrics } from './metrics/http';
import { instrumentDatabase } from './metrics/database';
import { metricsRoutes } from './metrics/routes';
import { webhookRoutes } from './webhooks/routes';
import { importRoutes, importUploadRoutes } from './imports/routes';
import { exportRoutes } from './exports/routes';

export const JSON_BODY_LIMIT = '32kb';

/** GET of an article's thread: `/api/v1/sites/:siteId/articles/:articleId/comments`. */
const THREAD_READ_PATH = /^\/api\/v1\/sites\/[^/]+\/articles\/[^/]+\/comments\/?$/;

function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/** Composes the service: cross-cutting middleware first, then each feature's routes, then errors. */
export function createApp(context: AppContext): Express {
  const { config } = context;
  // Every instance hears every other's changes (page caches, live threads, ...); idempotent.
  startChangeFeed(context.logger);
  configurePageCache(config.PAGE_CACHE_MB * 1024 * 1024);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.set('query parser', 'simple');
  if (context.observe) app.use(context.observe);

  app.use(httpMetrics());
  instrumentDatabase();
  app.use(requestLogging(context.logger));
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      // The widget script and the API are fetched from news sites' pages.
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );

  // The API router, filled below. The hottest request, a thread page (nearly always answered from the
  // page cache), is handed to it at once: no router before it has a route for this path, so this only
  // skips the walk past them; the API's gate and the route run exactly as for every API call.
  const api = express.Router();
  const comments = commentRoutes(context);
  const threadReads = express.Router();
  app.use((req, res, next) => {
    if (req.method === 'GET' && THREAD_READ_PATH.test(req.path)) {
      threadReads(req, res, next);
      return;
    }
    next();
  });

  app.use(healthRoutes(config.DB_TIMEOUT_MS));
  // mount:metrics
  app.use(metricsRoutes(config.METRICS_TOKEN));
  // mount:widget
  app.use(widgetRoutes(context));
  // mount:openapi
  app.use(openApiRoutes());
  // mount:console
  app.use(consoleRoutes(context));

  // Every API call passes these first, in this order:
  const apiGate = [
    // first, so that every answer on a site's paths (errors included) carries that site's CORS grant;
    siteCors(config.PUBLIC_URL),
    // import uploads are export files, streamed to disk: they pass before the JSON-only body handling;
    importUploadRoutes(context),
    requireJsonBody,
    jsonBody(JSON_BODY_LIMIT),
    rejectOperatorKeys,
    authenticate(config.JWT_SECRET),
  ];
  api.use(apiGate);
  // A thread read passes the same gate straight into the comment routes (the routers mounted before
  // them have no route for its path).
  threadReads.use('/api/v1', apiGate, comments);
  // Feature routes are mounted here, one line each. Each feature attaches its own abuse brakes
  // (rate limits, honeypot, duplicate posts) where it declares the routes they guard.
  // mount:accounts
  api.use(accountRoutes(context));
  // mount:sites
  api.use(siteRoutes());
  // mount:comments
  api.use(comments);
  // mount:moderation
  api.use(moderationRoutes(context));
  api.use(queueEventRoutes(context));
  // mount:admin
  api.use(adminRoutes(context));
  // mount:webhooks
  api.use(webhookRoutes(context));
  // mount:imports
  api.use(importRoutes());
  // mount:exports
  api.use(exportRoutes());
  // mount:live
  api.use(liveRoutes(context));
  // mount:notifications (outside /api/v1: one-click unsubscribe posts a form, not JSON)
  app.use(notificationRoutes(context));
  // mount:account-page (where emailed account links land)
  app.use(accountPageRoutes());
  app.use('/api/v1', api);

  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
