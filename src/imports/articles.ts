import { Types, trusted } from 'mongoose';
import { ArticleModel, articleKey, PendingAuthorModel, pendingAuthorKey } from '../comments/article.model';
import { CommentModel } from '../comments/comment.model';
import { upsertWithRetry } from '../db/errors';

/**
 * touchArticle (src/comments/articleVersion.ts) for every article an import wrote to, at once. Per
 * article it scans for held comments when the article document is new, which on a server that scans
 * a whole collection for such a query (FerretDB on SQLite) costs the collection's size per article.
 * Here one query reads every held comment with an author on the site, the marks of the imported
 * articles are set from it, and only then is each article's version renewed, the same order
 * touchArticle keeps (marks before the version), so no reader is served a page cached before the import.
 */
export async function touchImportedArticles(siteId: string, articleIds: ReadonlySet<string>): Promise<void> {
  if (articleIds.size === 0) return;
  const held = await CommentModel.find(
    { siteId: new Types.ObjectId(siteId), status: 'pending', 'author.id': trusted({ $ne: null }) },
    { articleId: 1, 'author.id': 1 },
  ).lean<{ articleId: string; author: { id: Types.ObjectId } }[]>();
  const marks = new Set<string>();
  for (const comment of held) {
    if (articleIds.has(comment.articleId)) marks.add(pendingAuthorKey(siteId, comment.articleId, String(comment.author.id)));
  }
  for (const _id of marks) {
    await upsertWithRetry(() => PendingAuthorModel.updateOne({ _id }, { $set: { pending: true } }, { upsert: true }));
  }
  for (const articleId of articleIds) {
    const _id = articleKey(siteId, articleId);
    await upsertWithRetry(() =>
      ArticleModel.updateOne({ _id }, { $set: { version: new Types.ObjectId().toHexString() } }, { upsert: true }),
    );
  }
}
