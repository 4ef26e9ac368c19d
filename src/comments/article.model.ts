import { Schema, model } from 'mongoose';

/**
 * One document per article that has comments, `_id` `<siteId>:<articleId>`, holding its count of
 * approved comments (GET counts and a page's `total` read it by `_id`). The count moves only through
 * `addExactly` (src/db/atomic.ts), which keeps it exact where concurrent `$inc`s are lost; the
 * revision beside it is that tool's.
 */
const articleSchema = new Schema(
  {
    _id: { type: String, required: true },
    approvedCount: { type: Number, default: 0 },
    approvedCountRev: { type: Number, default: 0 },
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
 * check after it (see updateMark in articleVersion.ts).
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

