import { isValidObjectId, trusted, Types } from 'mongoose';
import { commentsOfAuthor } from '../comments/authorFilter';
import { CommentModel } from '../comments/comment.model';
import { badRequest, notFound } from '../http/problem';
import { toModeratedCommentJson, type ModeratedComment, type ModeratedCommentJson } from './view';

/**
 * How many of a site's comments one search call reads at most. Text matching has no index (no
 * `$text`, which FerretDB lacks): a call reads the newest SCAN_WINDOW comments of the narrowed set
 * (the site, or one article, or one author on the site) through an index, newest first, and matches
 * them in memory. The cost of a call is therefore bounded by SCAN_WINDOW reads, whatever the site's
 * size; `nextCursor` continues the scan into older comments.
 */
export const SCAN_WINDOW = 2000;

export interface SearchQuery {
  q?: string;
  author?: string;
  article?: string;
  status?: 'approved' | 'pending' | 'rejected' | 'deleted';
  limit: number;
  cursor?: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decodeScanCursor(value: string): { at: Date; id: Types.ObjectId } {
  const [ms, id] = Buffer.from(value, 'base64url').toString('utf8').split(':');
  if (!/^\d+$/.test(ms ?? '') || !isValidObjectId(id) || !/^[a-f0-9]{24}$/.test(id)) {
    throw badRequest('The cursor is not valid; start again without one.', [{ path: 'cursor', message: 'not a cursor' }]);
  }
  return { at: new Date(Number(ms)), id: new Types.ObjectId(id) };
}

/** Searches a site's comments by text, author (id or a name prefix) and article; see SCAN_WINDOW for the cost. */
export async function searchComments(
  siteId: string,
  query: SearchQuery,
): Promise<{ items: ModeratedCommentJson[]; nextCursor: string | null; scanned: number }> {
  const filter: Record<string, unknown> = { siteId: new Types.ObjectId(siteId) };
  if (query.article) filter.articleId = query.article;
  if (query.status) filter.status = query.status;
  if (query.author) {
    if (/^[a-f0-9]{24}$/i.test(query.author)) Object.assign(filter, await commentsOfAuthor(new Types.ObjectId(query.author)));
    else filter['author.displayName'] = trusted({ $regex: `^${escapeRegExp(query.author)}`, $options: 'i' });
  }
  if (query.cursor) {
    const after = decodeScanCursor(query.cursor);
    filter.$or = [{ createdAt: trusted({ $lt: after.at }) }, { createdAt: after.at, _id: trusted({ $lt: after.id }) }];
  }
  const window = await CommentModel.find(filter, { html: 0 })
    .sort({ createdAt: -1, _id: -1 })
    .limit(SCAN_WINDOW)
    .lean<ModeratedComment[]>();
  const needle = query.q?.toLocaleLowerCase();
  const items: ModeratedComment[] = [];
  let last: ModeratedComment | null = null;
  for (const comment of window) {
    last = comment;
    if (!needle || comment.body.toLocaleLowerCase().includes(needle)) items.push(comment);
    if (items.length === query.limit) break;
  }
  const more = last !== null && (items.length === query.limit || window.length === SCAN_WINDOW);
  return {
    items: items.map((c) => ({ ...toModeratedCommentJson(c), html: '' })),
    nextCursor: more && last ? Buffer.from(`${last.createdAt.getTime()}:${String(last._id)}`).toString('base64url') : null,
    scanned: window.length,
  };
}

/** The whole conversation an item belongs to (its root and every reply, any status), oldest first; at most 500. */
export async function readConversation(comment: ModeratedComment): Promise<{ rootId: string; items: ModeratedCommentJson[] }> {
  const rootId = comment.rootId ?? comment._id;
  const all = await CommentModel.find({ rootId }).sort({ createdAt: 1, _id: 1 }).limit(500).lean<ModeratedComment[]>();
  if (!all.some((c) => String(c._id) === String(rootId))) {
    const root = await CommentModel.findById(rootId).lean<ModeratedComment>();
    if (!root) throw notFound('The conversation is gone.');
    all.unshift(root);
  }
  return { rootId: String(rootId), items: all.map(toModeratedCommentJson) };
}
