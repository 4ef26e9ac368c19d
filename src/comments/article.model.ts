import { Schema, model } from 'mongoose';

/**
 * One document per article that has comments, `_id` `<siteId>:<articleId>`. `version` is a fresh
 * random value set after every write that can change what a thread page shows, so a cached page is
 * served only while the version it was built under is still current. Always `$set`, never `$inc`:
 * some servers lose concurrent `$inc`s on one document, but any of several racing `$set`s leaves a
 * value no cached page was built under.
 */
const articleSchema = new Schema(
  {
    _id: { type: String, required: true },
    version: { type: String, required: true },
  },
  { versionKey: false },
);

export const ArticleModel = model('Article', articleSchema);
export const articleKey = (siteId: string, articleId: string): string => `${siteId}:${articleId}`;

/**
 * Whether one author may have held (pending) comments in one article, `_id`
 * `<siteId>:<articleId>:<userId>`. Such a reader sees their own held comments, so they never get the
 * shared cached page. One document per author, so writes about different authors cannot overwrite
 * each other; `true` may be stale (only costs an uncached read), `false` is never set without a
 * check after it (see pendingMarks in articleVersion.ts).
 */
const pendingAuthorSchema = new Schema(
  {
    _id: { type: String, required: true },
    pending: { type: Boolean, required: true },
  },
  { versionKey: false },
);

export const PendingAuthorModel = model('ArticlePendingAuthor', pendingAuthorSchema);
export const pendingAuthorKey = (siteId: string, articleId: string, userId: string): string =>
  `${siteId}:${articleId}:${userId}`;
