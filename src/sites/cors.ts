import type { Request, RequestHandler, Response } from 'express';
import { CommentModel } from '../comments/comment.model';
import { findSiteOrigins } from './service';

const ALLOWED_METHODS = 'GET, POST, PATCH, PUT, DELETE';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
const PREFLIGHT_MAX_AGE_SECONDS = '600';
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
  const found = await CommentModel.findById(commentId, { siteId: 1 }).lean();
  return found ? String(found.siteId) : null;
}

async function isAllowedOrigin(origin: string, ownOrigin: string, path: string): Promise<boolean> {
  if (origin === ownOrigin) return true;
  const siteId = await siteIdForPath(path);
  if (!siteId) return false;
  const origins = await findSiteOrigins(siteId);
  return origins?.includes(origin) ?? false;
}

function grant(res: Response, origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
}

function isPreflight(req: Request): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

/**
 * CORS per tenant: a browser on a site's page may call that site's API paths only when its Origin is one
 * of the site's origins; the service's own pages (PUBLIC_URL) may always. Auth is a bearer token, so
 * credentials are never allowed. Paths outside sites and comments are left to their own features.
 */
export function siteCors(publicUrl: string): RequestHandler {
  const ownOrigin = new URL(publicUrl).origin;
  return async (req, res, next) => {
    if (!isSiteScoped(req.path)) {
      next();
      return;
    }
    res.vary('Origin');
    const origin = req.headers.origin;
    const allowed = origin ? await isAllowedOrigin(origin, ownOrigin, req.path).catch(() => false) : false;
    if (origin && allowed) grant(res, origin);
    if (isPreflight(req)) {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
      }
      res.status(204).end();
      return;
    }
    next();
  };
}
