/**
 * What an article's thread pages depend on, kept so that a cached page is answered with no database
 * read:
 *
 * - Its version, in process: a number from one counter that only grows, raised by every change the
 *   change feed brings for the article (or its site): at once for this process's writes, within a
 *   second for other instances'. A page is served while the version it was built under is current.
 * - Whether a reader has held comments of their own there (marks in the database, read once and kept
 *   in process until a change for that article comes).
 * - Its approved-comment count, kept exact on the article document by `addExactly`.
 */
import { Types } from 'mongoose';
import { publishChange, subscribeChanges, type Change, type ChangeDetail, type ChangeMeta } from '../changes/feed';
import { addExactly, chainCounter, op, readExactly, setExactly, upsertWithRetry } from '../db/atomic';
import { ArticleModel, articleKey, PendingAuthorModel, pendingAuthorKey } from './article.model';
import type { CommentStatus } from './comment.model';
import { authorsWithHeldComments, countApprovedComments, hasHeldComment } from './store';

type Id = Types.ObjectId | string;

// A post moves its article's count by one claim insert; the document follows a second later (see atomic.ts).
chainCounter(ArticleModel, 'approvedCountRev');

/** The article's approved count and its revision, exactly; null when its document has no count yet. */
const readApprovedCount = async (key: string): Promise<{ count: number; rev: number } | null> => {
  const read = await readExactly(ArticleModel, key, ['approvedCount'], 'approvedCountRev');
  return read ? { count: read.values.approvedCount, rev: read.rev } : null;
};

/* ------------------------------------------------------------------ versions, in process */

const MAX_TRACKED = 50_000;
let tick = 0;
/** The version every article (or site) not tracked any more is taken to have: never lower than one it had. */
let floor = 0;
const articleVersions = new Map<string, number>();
const siteVersions = new Map<string, number>();

/** Raises the version kept under `key`; returns the key it stopped tracking to stay bounded, if any. */
function raise(map: Map<string, number>, key: string): string | undefined {
  tick += 1;
  map.delete(key);
  map.set(key, tick);
  if (map.size > MAX_TRACKED) {
    const oldest = map.entries().next();
    if (!oldest.done) {
      floor = Math.max(floor, oldest.value[1]);
      map.delete(oldest.value[0]);
      return oldest.value[0];
    }
  }
  return undefined;
}

/** The version a page of this article is valid under: it changes whenever the article or its site does. */
export function articleStamp(siteId: string, articleId: string): number {
  return Math.max(articleVersions.get(articleKey(siteId, articleId)) ?? floor, siteVersions.get(siteId) ?? floor);
}

/* ------------------------------------------------------------------ recent changes, for patching pages */

/** One change of an article as heard here, under the version it moved the article to. */
export interface ArticleChange {
  stamp: number;
  change: Change;
  local: boolean;
  detail?: ChangeDetail;
  /** Set while what this change did is being read (another instance's change): see `completeChange`. */
  completing?: Promise<void>;
}

interface ChangeLog {
  entries: ArticleChange[];
  /** Changes up to this version are no longer kept: a page older than it cannot be brought up to date. */
  droppedThrough: number;
}

/**
 * Per article, its last few changes (for articles changed lately: bounded in articles and in changes,
 * a few megabytes of comments at most). A page more changes behind than that is rebuilt.
 */
const LOG_ARTICLES = 1_000;
const LOG_PER_ARTICLE = 16;
const changeLogs = new Map<string, ChangeLog>();

/** Logs a change; `previous` is the article's version before it (what a new log can be trusted from). */
function logChange(key: string, entry: ArticleChange, previous: number): void {
  const log = changeLogs.get(key) ?? { entries: [], droppedThrough: previous };
  changeLogs.delete(key);
  changeLogs.set(key, log);
  log.entries.push(entry);
  if (log.entries.length > LOG_PER_ARTICLE) log.droppedThrough = log.entries.shift()?.stamp ?? log.droppedThrough;
  if (changeLogs.size > LOG_ARTICLES) {
    const oldest = changeLogs.keys().next();
    if (!oldest.done) changeLogs.delete(oldest.value);
  }
}

/**
 * Every change of the article after version `since`, oldest first, as far as this process knows
 * them; null when they cannot all be named (the site changed, or the changes are no longer kept).
 */
export function changesSince(siteId: string, articleId: string, since: number): ArticleChange[] | null {
  if ((siteVersions.get(siteId) ?? floor) > since) return null;
  const key = articleKey(siteId, articleId);
  const version = articleVersions.get(key) ?? floor;
  if (version <= since) return [];
  const log = changeLogs.get(key);
  if (!log || log.droppedThrough > since) return null;
  const after = log.entries.filter((entry) => entry.stamp > since);
  return after.length > 0 && after[after.length - 1].stamp === version ? after : null;
}

/**
 * For another instance's change, which comes without the comment: `read` looks up what the change
 * left (the comment by `_id`, the article's count), and its answer is kept with the change, so that
 * pages can be patched from it rather than rebuilt. Readers meanwhile get the previous copy.
 */
export function completeChange(change: Change, read: () => Promise<ChangeDetail | undefined>): void {
  if (!change.articleId) return;
  const log = changeLogs.get(articleKey(change.siteId, change.articleId));
  const entry = log?.entries.find((e) => e.change === change);
  if (!entry || entry.detail || entry.completing) return;
  entry.completing = read()
    .then((detail) => {
      if (detail) entry.detail = detail;
    })
    .catch(() => undefined)
    .finally(() => {
      entry.completing = undefined;
    });
}

function heard(change: Change, meta: ChangeMeta): void {
  if (change.type === 'site.changed') {
    raise(siteVersions, change.siteId);
    return;
  }
  if (!change.articleId) return;
  const key = articleKey(change.siteId, change.articleId);
  const previous = articleVersions.get(key) ?? floor;
  const dropped = raise(articleVersions, key);
  if (dropped) changeLogs.delete(dropped);
  logChange(key, { stamp: tick, change, local: meta.local, ...(meta.detail ? { detail: meta.detail } : {}) }, previous);
}

// Synchronous, so that this process's own write is seen by its very next read.
subscribeChanges(heard, { sync: true });

/**
 * For writes that change what an article's pages show without changing a comment's status (an
 * account's comments anonymised): publishes `article.changed`, which moves the article's version
 * here at once and on every other instance within a second.
 */
export async function touchArticle(siteId: Id, articleId: string): Promise<void> {
  await publishChange({ type: 'article.changed', siteId: String(siteId), articleId });
}

/** Marks an article changed in this process without publishing (after adopting it). */
function bumpLocally(siteId: string, articleId: string): void {
  raise(articleVersions, articleKey(siteId, articleId));
}

/* ------------------------------------------------------------------ marks: who has held comments where */

/** A comment of this author entered or left `pending` (held), which changes what they alone see. */
export interface PendingChange {
  authorId: Id | null;
  pending: boolean;
}

/** The change to pass to `recordStatusChange` when a comment moves from `before` to `after`; none if neither is pending. */
export function pendingChange(authorId: Id | null | undefined, before: CommentStatus | null, after: CommentStatus): PendingChange | undefined {
  if (!authorId || (before !== 'pending' && after !== 'pending')) return undefined;
  return { authorId, pending: after === 'pending' };
}

const hasPending = hasHeldComment;

async function setMark(siteId: string, articleId: string, userId: string, pending: boolean): Promise<void> {
  const _id = pendingAuthorKey(siteId, articleId, userId);
  await upsertWithRetry(() => PendingAuthorModel.updateOne({ _id }, { $set: { pending } }, { upsert: true }));
}

/**
 * Keeps an author's mark right after their comment's write has landed (or while a new comment's
 * insert is on its way: that one sets `true`). `true` is always safe to set. `false` is set only when no held comment is found, and is checked again after it is set:
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

const markCache = new Map<string, boolean>();

/** Whether this viewer may have held comments in the article: from memory, else one `_id` read. */
export async function viewerMayHavePending(siteId: string, articleId: string, viewerId: string): Promise<boolean> {
  const key = pendingAuthorKey(siteId, articleId, viewerId);
  const stamp = articleStamp(siteId, articleId);
  const cached = markCache.get(key);
  if (cached !== undefined && markStamps.get(key) === stamp) return cached;
  const mark = await PendingAuthorModel.findById(key).lean<{ pending: boolean }>();
  const pending = mark?.pending === true;
  // Kept only if nothing changed in the article while it was read.
  if (articleStamp(siteId, articleId) === stamp) {
    markCache.delete(key);
    markCache.set(key, pending);
    markStamps.set(key, stamp);
    if (markCache.size > MAX_TRACKED) {
      const oldest = markCache.keys().next();
      if (!oldest.done) {
        markCache.delete(oldest.value);
        markStamps.delete(oldest.value);
      }
    }
  }
  return pending;
}
const markStamps = new Map<string, number>();

/* ------------------------------------------------------------------ article documents and counts */

/** Articles this process has seen a document for (or created one): no read needed to know. */
const knownArticles = new Set<string>();

/** Marks every author with held comments in an article whose comments predate its article document. */
async function markExistingPendingAuthors(siteId: string, articleId: string): Promise<void> {
  for (const userId of await authorsWithHeldComments(siteId, articleId)) await setMark(siteId, articleId, userId, true);
}

/**
 * For articles whose comments were written without it (imports, older versions): creates the
 * article document with its count taken from the comments, marks first. Every comment the service
 * writes is written after the document exists, so a count taken here is never added to twice.
 */
async function adoptArticle(siteId: string, articleId: string): Promise<number> {
  await markExistingPendingAuthors(siteId, articleId);
  const approvedCount = await countApprovedComments(siteId, articleId);
  const _id = articleKey(siteId, articleId);
  await upsertWithRetry(() =>
    ArticleModel.updateOne({ _id }, { $setOnInsert: { approvedCount, approvedCountRev: 0 } }, { upsert: true }),
  );
  // A document written without a count (by an older version or a seeding script) gets it now.
  await ArticleModel.updateOne({ _id, approvedCount: op({ $exists: false }) }, { $set: { approvedCount, approvedCountRev: 0 } });
  rememberArticle(_id);
  bumpLocally(siteId, articleId);
  return (await readApprovedCount(_id))?.count ?? approvedCount;
}

/**
 * For comments written outside the service's write path (an import): marks their held authors,
 * recounts the article's approved comments where its document already keeps a count (a new article
 * is adopted, and so counted, at its first read), then moves its version on every instance.
 */
export async function reconcileArticle(siteId: string, articleId: string): Promise<void> {
  await markExistingPendingAuthors(siteId, articleId);
  const _id = articleKey(siteId, articleId);
  if (await readApprovedCount(_id)) {
    const approvedCount = await countApprovedComments(siteId, articleId);
    await setExactly(ArticleModel, _id, ['approvedCount'], 'approvedCountRev', () => ({ approvedCount }));
  }
  await touchArticle(siteId, articleId);
}

function rememberArticle(key: string): void {
  knownArticles.add(key);
  if (knownArticles.size > MAX_TRACKED) {
    const oldest = knownArticles.values().next();
    if (!oldest.done) knownArticles.delete(oldest.value);
  }
}

/** Call before writing a comment: the article document exists afterwards (one read the first time per process). */
export async function ensureArticle(siteId: Id, articleId: string): Promise<void> {
  const site = String(siteId);
  const key = articleKey(site, articleId);
  if (knownArticles.has(key)) return;
  const doc = await ArticleModel.findById(key, { approvedCount: 1 }).lean<{ approvedCount?: number }>();
  if (doc && typeof doc.approvedCount === 'number') rememberArticle(key);
  else await adoptArticle(site, articleId);
}

/** The article's approved comments: one `_id` read of its document (created from its comments if missing). */
export async function approvedCountOfArticle(siteId: string, articleId: string): Promise<number> {
  return (await approvedCountWithRevision(siteId, articleId)).count;
}

/** The article's approved count and the revision it was written at (-1 when just adopted). */
export async function approvedCountWithRevision(siteId: string, articleId: string): Promise<{ count: number; rev: number }> {
  const key = articleKey(siteId, articleId);
  const read = await readApprovedCount(key);
  if (read) {
    rememberArticle(key);
    return read;
  }
  knownArticles.delete(key);
  return { count: await adoptArticle(siteId, articleId), rev: -1 };
}

const approvedDelta = (before: CommentStatus | null, after: CommentStatus): -1 | 0 | 1 =>
  before === after ? 0 : after === 'approved' ? 1 : before === 'approved' ? -1 : 0;

/**
 * The bookkeeping of every comment status change, after the comment's write has landed (a new
 * comment's, side by side with its insert: see `unrecordNewComment` for when that fails): the
 * author's held-comment mark and the article's approved count (exact). The caller publishes the
 * change, which moves the article's version. Returns the article's approved count and its revision
 * after the change, when the change moved it.
 */
export async function recordStatusChange(
  comment: { siteId: Id; articleId: string; authorId: Id | null | undefined },
  before: CommentStatus | null,
  after: CommentStatus,
): Promise<{ count: number; rev: number } | undefined> {
  const site = String(comment.siteId);
  const mark = pendingChange(comment.authorId, before, after);
  if (mark?.authorId) await updateMark(site, comment.articleId, String(mark.authorId), mark.pending);
  const delta = approvedDelta(before, after);
  if (delta === 0) return undefined;
  const article = await addExactly(ArticleModel, articleKey(site, comment.articleId), { approvedCount: delta }, 'approvedCountRev');
  return { count: article.approvedCount, rev: article.approvedCountRev };
}

/**
 * Takes back the count that `recordStatusChange(comment, null, status)` added for a comment whose
 * insert then failed, and moves the article's version past any page built meanwhile. (A held mark it
 * set stays: a mark saying "maybe" is always safe.)
 */
export async function unrecordNewComment(comment: { siteId: Id; articleId: string }, status: CommentStatus): Promise<void> {
  if (status !== 'approved') return;
  await addExactly(ArticleModel, articleKey(String(comment.siteId), comment.articleId), { approvedCount: -1 }, 'approvedCountRev');
  await touchArticle(comment.siteId, comment.articleId);
}
