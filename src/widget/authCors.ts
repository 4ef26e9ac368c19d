import type { RequestHandler } from 'express';
import { SiteModel } from '../sites/site.model';

const ALLOWED_METHODS = 'GET, POST';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

async function isRegisteredOrigin(origin: string): Promise<boolean> {
  return (await SiteModel.exists({ origins: origin })) !== null;
}

/**
 * CORS for the account calls the widget makes from a news site's page (sign in, register, email links,
 * me, logout). These paths name no site, so any origin registered for some site is granted. Auth is a
 * bearer token, never a cookie, so credentials stay disallowed. Site and comment paths have their own
 * per-site grant; the Facebook routes are popup navigations and need no CORS, only an opener.
 */
export function widgetAuthCors(publicUrl: string): RequestHandler {
  const ownOrigin = new URL(publicUrl).origin;
  return async (req, res, next) => {
    if (req.path.startsWith('/facebook')) {
      // The popup's callback posts the session to window.opener. A same-origin opener policy on any
      // response in the redirect chain (helmet's default) would cut that link, so these opt out.
      res.setHeader('Cross-Origin-Opener-Policy', 'unsafe-none');
      next();
      return;
    }
    res.vary('Origin');
    const origin = req.headers.origin;
    const allowed =
      typeof origin === 'string' && (origin === ownOrigin || (await isRegisteredOrigin(origin).catch(() => false)));
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
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
