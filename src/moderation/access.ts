import { isValidObjectId } from 'mongoose';
import { canModerateSite, type AuthUser } from '../accounts/authenticate';
import { readComment } from '../comments/store';
import { forbidden, notFound } from '../http/problem';
import { SiteModel } from '../sites/site.model';
import type { ModeratedComment } from './view';

/** The site, if it exists and the user moderates it: 404 for an unknown site, 403 for someone else's. */
export async function loadModeratedSite(user: AuthUser, siteId: string) {
  if (!isValidObjectId(siteId)) throw notFound('No such site.');
  const site = await SiteModel.findById(siteId).lean();
  if (!site) throw notFound('No such site.');
  if (!canModerateSite(user, siteId)) throw forbidden('You do not moderate this site.');
  return site;
}

/** The comment, if it exists and the user moderates its site. */
export async function loadModeratedComment(user: AuthUser, commentId: string): Promise<ModeratedComment> {
  if (!isValidObjectId(commentId)) throw notFound('No such comment.');
  const comment = await readComment<ModeratedComment>(commentId);
  if (!comment) throw notFound('No such comment.');
  if (!canModerateSite(user, String(comment.siteId))) throw forbidden('You do not moderate this comment\'s site.');
  return comment;
}
