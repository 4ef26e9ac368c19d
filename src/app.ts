import express, { type Express } from 'express';
import helmet from 'helmet';
import { authenticate } from './accounts/authenticate';
import { accountRoutes } from './accounts/routes';
import type { Config } from './config/config';
import { healthRoutes } from './health/routes';
import { moderationRoutes } from './moderation/routes';
import { duplicatePostBrake, honeypot } from './http/commentBrakes';
import { notFoundHandler, problemHandler } from './http/problem';
import { createRateLimiters } from './http/rateLimit';
import { rejectOperatorKeys } from './http/rejectOperators';
import { requestLogging } from './http/requestLogging';
import { requireJsonBody } from './http/requireJson';
import { siteCors } from './sites/cors';
import { siteRoutes } from './sites/routes';
import { commentRoutes } from './comments/routes';
import { configurePageCache } from './comments/thread';
import { startChangeFeed } from './changes/feed';
import type { Logger } from './logging/logger';
import { widgetRoutes } from './widget/routes';
import { openApiRoutes } from './openapi/routes';

/** What every feature's routes may use. */
export interface AppContext {
  config: Config;
  logger: Logger;
}

export const JSON_BODY_LIMIT = '32kb';

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

  app.use(requestLogging(context.logger));
  app.use(
    helmet({
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

  app.use(healthRoutes(config.DB_TIMEOUT_MS));
  // mount:widget
  app.use(widgetRoutes(context));
  // mount:openapi
  app.use(openApiRoutes());

  const api = express.Router();
  // First, so that every answer on a site's paths (errors included) carries that site's CORS grant.
  api.use(siteCors(config.PUBLIC_URL));
  api.use(requireJsonBody);
  api.use(express.json({ limit: JSON_BODY_LIMIT, strict: true }));
  api.use(rejectOperatorKeys);
  api.use(authenticate(config.JWT_SECRET));
  // Abuse brakes run before the feature routes they guard: each matches one path and method, calls
  // next() when the request may go on, and so reaches the feature's handler mounted below unchanged.
  const limits = createRateLimiters(config);
  api.post('/auth/login', limits.signIn);
  api.post('/auth/register', limits.signIn, limits.sendEmail);
  api.post('/auth/email-link', limits.sendEmail);
  api.post(
    '/sites/:siteId/articles/:articleId/comments',
    limits.postComment,
    honeypot,
    duplicatePostBrake(config.DUPLICATE_POST_WINDOW_SECONDS, config.RATE_LIMITS_ENABLED),
  );
  api.put('/comments/:commentId/vote', limits.vote);
  api.post('/comments/:commentId/flags', limits.flag);
  // Feature routes are mounted here, one line each.
  // mount:accounts
  api.use(accountRoutes(context));
  // mount:sites
  api.use(siteRoutes());
  // mount:comments
  api.use(commentRoutes());
  // mount:moderation
  api.use(moderationRoutes());
  app.use('/api/v1', api);

  app.use(notFoundHandler);
  app.use(problemHandler);
  return app;
}
