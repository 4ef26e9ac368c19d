import type { RequestHandler } from 'express';
import { originCors } from '../http/cors';
import { SiteModel } from '../sites/site.model';

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
  const cors = originCors({
    methods: 'GET, POST',
    isAllowed: async (origin) => origin === ownOrigin || isRegisteredOrigin(origin),
  });
  return (req, res, next) => {
    if (req.path.startsWith('/facebook')) {
      // The popup's callback posts the session to window.opener. A same-origin opener policy on any
      // response in the redirect chain (helmet's default) would cut that link, so these opt out.
      res.setHeader('Cross-Origin-Opener-Policy', 'unsafe-none');
      next();
      return;
    }
    return cors(req, res, next);
  };
}
