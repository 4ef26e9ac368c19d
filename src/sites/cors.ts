import type { RequestHandler } from 'express';
import { siteOfComment } from '../comments/store';
import { originCors } from '../http/cors';
import { findSiteOrigins } from './service';

const ALLOWED_METHODS = 'GET, POST, PATCH, PUT, DELETE';
const OBJECT_ID = /^[a-f0-9]{24}$/i;

const SITE_PATH = /^\/sites\/([^/]+)(?:\/|$)/;
const COMMENT_PATH = /^\/comments\/([^/]+)(?:\/|$)/;

function isSiteScoped(path: string): boolean {
  return SITE_PATH.test(path) || COMMENT_PATH.test(path);
}

/** Which site a site-scoped path belongs to; null when it names nothing that exists. */
async function siteIdForPath(path: string): Promise<string | null> {
  const site = SITE_PATH.exec(path);
  if (site) return decodeURIComponent(site[1]);
  const comment = COMMENT_PATH.exec(path);
  if (!comment) return null;
  const commentId = decodeURIComponent(comment[1]);
  if (!OBJECT_ID.test(commentId)) return null;
  return siteOfComment(commentId);
}

async function isAllowedOrigin(origin: string, ownOrigin: string, path: string): Promise<boolean> {
  if (origin === ownOrigin) return true;
  const siteId = await siteIdForPath(path);
  if (!siteId) return false;
  const origins = await findSiteOrigins(siteId);
  return origins?.includes(origin) ?? false;
}

/**
 * CORS per tenant: a browser on a site's page may call that site's API paths only when its Origin is one
 * of the site's origins; the service's own pages (PUBLIC_URL) may always. Paths outside sites and
 * comments are left to their own features.
 */
export function siteCors(publicUrl: string): RequestHandler {
  const ownOrigin = new URL(publicUrl).origin;
  const cors = originCors({
    methods: ALLOWED_METHODS,
    isAllowed: (origin, req) => isAllowedOrigin(origin, ownOrigin, req.path),
  });
  return (req, res, next) => {
    if (!isSiteScoped(req.path)) {
      next();
      return;
    }
    return cors(req, res, next);
  };
}
