/**
 * The change feed: every write that others may care about (page caches, live threads, webhooks,
 * notifications, the moderator console) is published here after it has landed, and every listener
 * hears it once per instance: at once in the instance that published it, within a second in every
 * other instance on the same database.
 *
 * How instances share it: the database keeps a numbered log (collection `changefeed`). An entry's
 * `_id` is its sequence number, claimed by inserting it: a writer tries the number after the highest
 * it knows, and on a duplicate key the next one. A number is only tried once its predecessor exists,
 * so the log has no holes. Every instance polls by `_id` (`findById(next)` until one is missing): one
 * indexed lookup per poll when idle, no scan and no range query, which is what every MongoDB-wire
 * server (FerretDB included) answers from its primary key. Changes published while a write is in
 * flight go out together in the next entry. Entries more than FEED_KEEP numbers old are deleted FEED_BLOCK
 * at a time (one pushed-down equality on `block`) by whoever starts a new block (plus one range delete of
 * leftovers at start).
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema, model } from 'mongoose';
import type { Logger } from '../logging/logger';
import { forgetOldClaims, insertOnce, op } from '../db/atomic';
import type { CommentRecord } from '../comments/view';

export type CommentSnapshot = CommentRecord & { voteRev?: number };

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
  /** A user document was written (any field): sessions and other in-process copies of the user follow. */
  | 'user.changed'
  | 'site.changed'
  /** Something else on an article's pages changed (e.g. an author's name on their comments). */
  | 'article.changed'
  /** A webhook of the site was added or removed: which deliveries a change makes follows. */
  | 'webhooks.changed';

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

/**
 * What the process that made a change knows beyond the change itself, handed to its own listeners
 * only (never written to the log, never sent to other instances): the comment as its write left it,
 * and the article's approved count after it, so that cached pages can be patched without a rebuild.
 */
export interface ChangeDetail {
  /** The comment after the write (the whole stored document, or the fields a vote moved on it). */
  comment?: CommentSnapshot;
  /** Only the comment's score, tallies and their revision moved (a vote): nothing else is taken from it. */
  scoreOnly?: boolean;
  /** The article's approved count and its revision after the write, when it moved. */
  approvedCount?: { count: number; rev: number };
}

/** How a listener hears a change: whether it was made in this process, and what that process knows of it. */
export interface ChangeMeta {
  local: boolean;
  detail?: ChangeDetail;
}

export type ChangeListener = (change: Change, meta: ChangeMeta) => void | Promise<void>;

export interface SubscribeOptions {
  /**
   * Called synchronously inside `publishChange` (and in the poll that reads a remote change), for
   * listeners that must see this process's writes before its next request is served (cache
   * invalidation). Such a listener must be quick and must not throw.
   */
  sync?: boolean;
}

/** How often every instance looks for other instances' changes. */
export const FEED_POLL_MS = 200;
/** How many entries the log keeps behind its head (at least). */
export const FEED_KEEP = 10_000;
/**
 * While entries go out back to back, the next one gathers this long first: under 10 clients posting,
 * about half an entry per post became a fifth, and other instances hear of a change a few ms later.
 */
const FEED_GATHER_MS = 5;
const FEED_BUSY_MS = 20;
/** Entries are deleted this many at a time, once all of them are FEED_KEEP behind the head. */
const FEED_BLOCK = 500;

const entrySchema = new Schema(
  {
    _id: { type: Number, required: true },
    origin: { type: String, required: true },
    changes: { type: [Schema.Types.Mixed], required: true },
    at: { type: Date, required: true },
    /**
     * "<block size>:<_id / block size>": old entries are deleted a block at a time by this equality
     * (pushed down, indexed); the size is part of it so that a different size never names other entries.
     */
    block: { type: String },
  },
  { versionKey: false },
);
entrySchema.index({ block: 1 });
export const ChangeEntryModel = model('ChangeEntry', entrySchema, 'changefeed');

interface EntryDoc {
  _id: number;
  origin: string;
  changes: Change[];
  at: Date;
  block?: string;
  /** Only on the hint (`_id` HEAD_HINT_ID): a sequence number known to exist. */
  head?: number;
}

/**
 * `_id` of the hint: a document beside the entries (never an entry: numbers start at 1) that holds a
 * recent head, rewritten every HEAD_HINT_EVERY entries, so that an instance that starts finds the head
 * with a few `_id` lookups instead of reading and sorting the whole log (FerretDB sorts in memory).
 */
const HEAD_HINT_ID = 0;
const HEAD_HINT_EVERY = 32;

const entries = (): mongoose.mongo.Collection<EntryDoc> =>
  ChangeEntryModel.collection as unknown as mongoose.mongo.Collection<EntryDoc>;

/** One instance's view of the feed. The service has one (below); tests make a second to act as another instance. */
export class ChangeFeed {
  readonly instanceId = randomBytes(8).toString('hex');
  private readonly listeners = new Set<ChangeListener>();
  private readonly syncListeners = new Set<ChangeListener>();
  private log: Logger | null = null;
  /** The highest sequence number known to exist. */
  private head = 0;
  /** The next sequence number to read. */
  private next = 1;
  private ready: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private queue: Change[] = [];
  private writing: Promise<void> | null = null;
  /** When the last entry was started (ms). */
  private wroteAt = 0;
  private lastClaimSweep = 0;

  /** `retention` is FEED_KEEP and FEED_BLOCK unless a test wants a short log. */
  constructor(private readonly retention: { keep: number; block: number } = { keep: FEED_KEEP, block: FEED_BLOCK }) {}

  setLogger(logger: Logger): void {
    this.log = logger;
  }

  subscribe(listener: ChangeListener, options: SubscribeOptions = {}): () => void {
    const set = options.sync ? this.syncListeners : this.listeners;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Starts polling the database (idempotent); changes published before it are delivered locally only. */
  start(logger?: Logger): void {
    if (logger) this.log = logger;
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), FEED_POLL_MS);
    this.timer.unref();
    void this.poll();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Resolves once every change published so far is in the database log (or failed to get there). */
  async flushed(): Promise<void> {
    while (this.writing) await this.writing;
  }

  publish(change: Omit<Change, 'at'>, detail?: ChangeDetail): void {
    const published: Change = { ...change, at: new Date().toISOString() };
    this.deliver(published, { local: true, ...(detail ? { detail } : {}) });
    if (!this.timer) return;
    this.queue.push(published);
    if (!this.writing) this.writing = this.writeQueued();
  }

  private deliver(change: Change, meta: ChangeMeta): void {
    for (const listener of this.syncListeners) {
      try {
        void listener(change, meta);
      } catch (err) {
        this.log?.warn({ err, type: change.type }, 'change listener failed');
      }
    }
    if (this.listeners.size === 0) return;
    setImmediate(() => {
      for (const listener of this.listeners) {
        try {
          const result = listener(change, meta);
          if (result instanceof Promise) result.catch((err: unknown) => this.log?.warn({ err, type: change.type }, 'change listener failed'));
        } catch (err) {
          this.log?.warn({ err, type: change.type }, 'change listener failed');
        }
      }
    });
  }

  private connected(): boolean {
    return mongoose.connection.readyState === mongoose.ConnectionStates.connected;
  }

  /** Finds the head once: the log is short (FEED_KEEP entries), so one sorted read at start is cheap. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      const hint = await entries().findOne({ _id: HEAD_HINT_ID });
      const fromHint = typeof hint?.head === 'number' && hint.head > 0 ? await this.headAbove(hint.head) : null;
      if (fromHint !== null) {
        this.head = fromHint;
      } else {
        const [last] = await ChangeEntryModel.find({ _id: op({ $gte: 1 }) }, { _id: 1 }).sort({ _id: -1 }).limit(1).lean<{ _id: number }[]>();
        this.head = last?._id ?? 0;
        // Leftovers older than the log keeps (their deletion by their writer failed): once, at a start without a hint.
        const { keep } = this.retention;
        if (this.head > keep) await ChangeEntryModel.deleteMany({ _id: op({ $gte: 1, $lt: this.head - keep }) });
      }
      this.next = this.head + 1;
    })().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  /**
   * The head, from a number known to exist: numbers above it exist without holes (each is tried only
   * once its predecessor exists), so doubling steps then halving them find the last one in O(log n)
   * `_id` lookups. Null when that number no longer exists (the hint is older than the log).
   */
  private async headAbove(known: number): Promise<number | null> {
    const exists = async (seq: number): Promise<boolean> => (await entries().findOne({ _id: seq }, { projection: { _id: 1 } })) !== null;
    if (!(await exists(known))) return null;
    let low = known;
    let step = 1;
    while (await exists(low + step)) {
      low += step;
      step *= 2;
    }
    let high = low + step;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await exists(middle)) low = middle;
      else high = middle;
    }
    return low;
  }

  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Busy (an entry went out moments ago): gather a few milliseconds more, for fewer, fuller entries.
        if (Date.now() - this.wroteAt < FEED_BUSY_MS) await new Promise((resolve) => setTimeout(resolve, FEED_GATHER_MS));
        this.wroteAt = Date.now();
        const changes = this.queue.splice(0, 100);
        try {
          await this.init();
          await this.append(changes);
        } catch (err) {
          // Other instances then see the write at the latest when their pages expire.
          this.log?.warn({ err, changes: changes.length }, 'change feed write failed');
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private async append(changes: Change[]): Promise<void> {
    const at = new Date();
    for (let seq = this.head + 1; ; seq += 1) {
      const { keep, block: perBlock } = this.retention;
      const block = `${perBlock}:${Math.floor(seq / perBlock)}`;
      const inserted = await insertOnce(() => entries().insertOne({ _id: seq, origin: this.instanceId, changes, at, block }));
      this.head = Math.max(this.head, seq);
      if (inserted) {
        // The writer of a block's first entry deletes the newest block wholly FEED_KEEP behind it.
        const old = Math.floor((seq - keep) / perBlock) - 1;
        if (seq % perBlock === 0 && old >= 0) entries().deleteMany({ block: `${perBlock}:${old}` }).catch(() => undefined);
        if (seq % HEAD_HINT_EVERY === 0) {
          // Only a hint: a lost or late write leaves it lower, which costs a starting instance a few more lookups.
          entries()
            .updateOne({ _id: HEAD_HINT_ID }, { $max: { head: seq }, $setOnInsert: { origin: 'head-hint', changes: [], at } }, { upsert: true })
            .catch(() => undefined);
        }
        return;
      }
    }
  }

  /** Reads every entry after the last one read; delivers other instances' changes. */
  async poll(): Promise<void> {
    if (this.polling || !this.connected()) return;
    this.polling = true;
    try {
      await this.init();
      for (let read = 0; read < 1000; read += 1) {
        const entry = await entries().findOne({ _id: this.next });
        if (!entry) {
          // Every number up to the head exists unless it was deleted as too old: skip it.
          if (this.next <= this.head && !this.writing) {
            this.next += 1;
            continue;
          }
          break;
        }
        this.next += 1;
        this.head = Math.max(this.head, entry._id);
        if (entry.origin !== this.instanceId) for (const change of entry.changes) this.deliver(change, { local: false });
      }
      if (Date.now() - this.lastClaimSweep > 10_000) {
        this.lastClaimSweep = Date.now();
        await forgetOldClaims();
      }
    } catch (err) {
      this.log?.debug({ err }, 'change feed poll failed');
    } finally {
      this.polling = false;
    }
  }
}

/** This process's feed. */
export const changeFeed = new ChangeFeed();

/** Where listener failures are reported; set once at start. */
export function setChangeFeedLogger(logger: Logger): void {
  changeFeed.setLogger(logger);
}

/** Starts sharing changes with other instances through the database (idempotent). */
export function startChangeFeed(logger?: Logger): void {
  changeFeed.start(logger);
}

export function stopChangeFeed(): void {
  changeFeed.stop();
}

/** Hears every change from now on; returns the function that stops listening. */
export function subscribeChanges(listener: ChangeListener, options?: SubscribeOptions): () => void {
  return changeFeed.subscribe(listener, options);
}

/**
 * Call after the write has landed. Sync listeners (cache invalidation) run before this returns;
 * the others after the caller goes on, never inside its request. The database write that tells the
 * other instances happens in the background, batched with other changes.
 */
export async function publishChange(change: Omit<Change, 'at'>, detail?: ChangeDetail): Promise<void> {
  changeFeed.publish(change, detail);
}
