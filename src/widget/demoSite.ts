import { SiteModel } from '../sites/site.model';

export const DEMO_SITE_NAME = 'Threadline demo';
export const DEMO_ARTICLE_ID = 'gull-island-ferry-returns';

/**
 * The site the demo page embeds, created on first use outside production. Its origins always
 * include the service's own origin, which is where the demo page is served from.
 */
export async function ensureDemoSite(publicUrl: string): Promise<string> {
  const origin = new URL(publicUrl).origin;
  const site = await SiteModel.findOneAndUpdate(
    { name: DEMO_SITE_NAME },
    { $addToSet: { origins: origin }, $setOnInsert: { name: DEMO_SITE_NAME } },
    { upsert: true, returnDocument: 'after', setDefaultsOnInsert: true },
  ).lean();
  return String(site._id);
}
