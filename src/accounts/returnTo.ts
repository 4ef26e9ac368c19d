import { isValidObjectId } from 'mongoose';
import { badRequest } from '../http/problem';
import { SiteModel } from '../sites/site.model';

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * A page we may send a reader back to (or post a token to): it must lie under one of the site's
 * registered origins, so no one can use the service as an open redirect or a token leak.
 */
export async function checkReturnTo(siteId: string, returnTo: string): Promise<{ url: string; origin: string }> {
  const origin = originOf(returnTo);
  if (!origin) throw badRequest('returnTo must be an http(s) URL.', [{ path: 'returnTo', message: 'not an http(s) URL' }]);
  const site = isValidObjectId(siteId) ? await SiteModel.findById(siteId, { origins: 1 }).lean() : null;
  if (!site) throw badRequest('The site does not exist.', [{ path: 'siteId', message: 'unknown site' }]);
  const allowed = (site.origins ?? []).map(originOf).filter((o): o is string => o !== null);
  if (!allowed.includes(origin)) {
    throw badRequest('returnTo is not under one of the site\'s registered origins.', [
      { path: 'returnTo', message: 'origin not registered for this site' },
    ]);
  }
  return { url: new URL(returnTo).toString(), origin };
}
