import { Types } from 'mongoose';
import { ArticleModel, articleKey, PendingAuthorModel, pendingAuthorKey } from './article.model';
import { CommentModel, type CommentStatus } from './comment.model';
import { op } from './store';
import { upsertWithRetry } from '../db/errors';

type Id = Types.ObjectId | string;

/** A comment of this author entered or left `pending` (held), which changes what they alone see. */
export interface PendingChange {
  authorId: Id | null;
  pending: boolean;
}

/** The change to pass to touchArticle when a comment moves from `before` to `after`; none if neither is pending. */
export function pendingChange(authorId: Id | null | undefined, before: CommentStatus | null, after: CommentStatus): PendingChange | undefined {
  if (!authorId || (before !== 'pending' && after !== 'pending')) return undefined;
  return { authorId, pending: after === 'pending' };
}

async function hasPending(siteId: string, articleId: string, userId: string): Promise<boolean> {
  const found = await CommentModel.exists({
    siteId: new Types.ObjectId(siteId),
    articleId,
    status: 'pending',
    'author.id': new Types.ObjectId(userId),
  });
  return found !== null;
}

async function setMark(siteId: string, articleId: string, userId: string, pending: boolean): Promise<void> {
  const _id = pendingAuthorKey(siteId, articleId, userId);
  await upsertWithRetry(() => PendingAuthorModel.updateOne({ _id }, { $set: { pending } }, { upsert: true }));
}

/**
 * Keeps an author's mark right after their comment's write has landed. `true` is always safe to
 * set. `false` is set only when no held comment is found, and is checked again after it is set:
 * a comment held meanwhile was either seen by that check or is marked by its own writer afterwards.
 */
async function updateMark(siteId: string, articleId: string, userId: string, pending: boolean): Promise<void> {
  if (pending || (await hasPending(siteId, articleId, userId))) {
    await setMark(siteId, articleId, userId, true);
    return;
  }
  await setMark(siteId, articleId, userId, false);
  if (await hasPending(siteId, articleId, userId)) await setMark(siteId, articleId, userId, true);
}

/** Marks every author with held comments in an article whose comments predate its article document. */
async function markExistingPendingAuthors(siteId: string, articleId: string): Promise<void> {
  const held = await CommentModel.find(
    { siteId: new Types.ObjectId(siteId), articleId, status: 'pending', 'author.id': op({ $ne: null }) },
    { 'author.id': 1 },
  ).lean<{ author: { id: Types.ObjectId | null } }[]>();
  const authors = new Set(held.map((comment) => String(comment.author.id)));
  for (const userId of authors) await setMark(siteId, articleId, userId, true);
}

const freshVersion = (): string => new Types.ObjectId().toHexString();

/**
 * Call after any write that can change a thread page has landed: the article gets a new version,
 * so no reader is served a page cached before the write. The marks are written first, and only
 * before the article document exists are older held comments marked, so a reader who finds the
 * document also finds every mark.
 */
export async function touchArticle(siteId: Id, articleId: string, change?: PendingChange): Promise<void> {
  const site = String(siteId);
  const _id = articleKey(site, articleId);
  if (!(await ArticleModel.exists({ _id }))) await markExistingPendingAuthors(site, articleId);
  if (change?.authorId) await updateMark(site, articleId, String(change.authorId), change.pending);
  await upsertWithRetry(() => ArticleModel.updateOne({ _id }, { $set: { version: freshVersion() } }, { upsert: true }));
}

/** For articles whose comments predate article documents: create the document, marks first. */
export async function adoptArticle(siteId: Id, articleId: string): Promise<void> {
  const site = String(siteId);
  await markExistingPendingAuthors(site, articleId);
  const _id = articleKey(site, articleId);
  await upsertWithRetry(() =>
    ArticleModel.updateOne({ _id }, { $setOnInsert: { version: freshVersion() } }, { upsert: true }),
  );
}

/** The article's current version, and whether this viewer may have held comments in it. */
export async function readArticleState(
  siteId: string,
  articleId: string,
  viewerId: string | null,
): Promise<{ version: string | null; viewerHasPending: boolean }> {
  const [article, mark] = await Promise.all([
    ArticleModel.findById(articleKey(siteId, articleId), { version: 1 }).lean<{ version: string }>(),
    viewerId ? PendingAuthorModel.findById(pendingAuthorKey(siteId, articleId, viewerId)).lean<{ pending: boolean }>() : null,
  ]);
  return { version: article?.version ?? null, viewerHasPending: mark?.pending === true };
}
