/**
 * The change feed: every write that others may care about (page caches, live threads, webhooks,
 * notifications, the moderator console) is published here after it has landed, and every listener
 * hears it once per instance.
 *
 * This first version delivers within this process only; the database-backed feed that every instance
 * polls keeps this interface, so listeners need not change.
 */
import type { Logger } from '../logging/logger';

export type ChangeType =
  | 'comment.created'
  | 'comment.edited'
  | 'comment.approved'
  | 'comment.rejected'
  | 'comment.held'
  | 'comment.flagged'
  | 'comment.deleted'
  | 'comment.voted'
  | 'comment.featured'
  | 'user.banned'
  | 'user.unbanned'
  | 'site.changed';

export interface Change {
  type: ChangeType;
  siteId: string;
  articleId?: string;
  commentId?: string;
  /** The comment's author, or the user a ban concerns. */
  userId?: string;
  /** The comment's status after the change, and before it, when a comment changed. */
  status?: string;
  previousStatus?: string;
  /** When the change was published (ISO-8601). */
  at: string;
}

export type ChangeListener = (change: Change) => void | Promise<void>;

const listeners = new Set<ChangeListener>();
let log: Logger | null = null;

/** Where listener failures are reported; set once at start. */
export function setChangeFeedLogger(logger: Logger): void {
  log = logger;
}

/** Hears every change from now on; returns the function that stops listening. */
export function subscribeChanges(listener: ChangeListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function deliver(change: Change): void {
  for (const listener of listeners) {
    try {
      const result = listener(change);
      if (result instanceof Promise) result.catch((err: unknown) => log?.warn({ err, type: change.type }, 'change listener failed'));
    } catch (err) {
      log?.warn({ err, type: change.type }, 'change listener failed');
    }
  }
}

/** Call after the write has landed; listeners run after the caller goes on, never inside its request. */
export async function publishChange(change: Omit<Change, 'at'>): Promise<void> {
  const published: Change = { ...change, at: new Date().toISOString() };
  setImmediate(() => deliver(published));
}
