import { randomBytes } from 'node:crypto';
import { subscribeChanges, type Change } from '../changes/feed';
import { publicEvent, type LiveEvent } from './events';
import { ConnectionSlots, type LiveLimits } from './stream';

export type { LiveLimits };

/** One announced event with its place in this instance's sequence (the SSE `id` and the poll cursor). */
export interface SequencedEvent extends LiveEvent {
  cursor: string;
}

type Listener = (event: SequencedEvent) => void;

/** Recent events kept per article, so a reconnecting stream or a long-poll misses nothing short. */
const BUFFER_EVENTS = 100;
const BUFFER_MS = 5 * 60_000;

interface Buffered {
  seq: number;
  at: number;
  event: SequencedEvent;
}

const articleKey = (siteId: string, articleId: string): string => `${siteId}\u0000${articleId}`;

/**
 * The live threads of one service instance: who listens to which article, how many connections each
 * client IP holds, and a short replay buffer per article. It hears the change feed (which, database
 * backed, brings other instances' writes within a second) and fans each public event out to that
 * article's listeners. Cursors are `<instance>.<sequence>`: a cursor from another instance or an
 * earlier run is unknown here, and the client is told to reload instead of silently missing events.
 */
export class LiveHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly buffers = new Map<string, Buffered[]>();
  private readonly slots: ConnectionSlots;
  private readonly instance = randomBytes(6).toString('base64url');
  private seq = 0;
  /** Per article, the newest sequence number that left its buffer. */
  private readonly dropped = new Map<string, number>();
  /** The newest sequence number of any article whose buffer was dropped whole (quiet for the window). */
  private forgottenSeq = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(limits: LiveLimits) {
    this.slots = new ConnectionSlots(limits);
  }

  /** Open connections (streams and waiting polls) on this instance. */
  get connections(): number {
    return this.slots.connections;
  }

  /** Takes one connection slot for the IP; null when the IP or the instance is at its limit. */
  acquire(ip: string): (() => void) | null {
    const release = this.slots.acquire(ip);
    if (release) this.ensureSubscribed();
    return release;
  }

  /** The cursor that names "now": events after it are new. */
  currentCursor(): string {
    return `${this.instance}.${this.seq}`;
  }

  /** Events after the cursor for the article, or null when the cursor is not this instance's (reload). */
  eventsSince(siteId: string, articleId: string, cursor: string): SequencedEvent[] | null {
    const [instance, seqText] = cursor.split('.');
    const after = Number(seqText);
    if (instance !== this.instance || !Number.isInteger(after) || after > this.seq) return null;
    const key = articleKey(siteId, articleId);
    const buffer = this.buffers.get(key);
    // Events after the cursor may have left the buffer: the caller cannot know what it missed.
    if (after < (this.dropped.get(key) ?? 0)) return null;
    if (!buffer) return after < this.forgottenSeq ? null : [];
    return buffer.filter((entry) => entry.seq > after).map((entry) => entry.event);
  }

  /** Hears the article's events from now on; returns the function that stops. */
  listen(siteId: string, articleId: string, listener: Listener): () => void {
    const key = articleKey(siteId, articleId);
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  /** Stops hearing the feed (tests and shutdown). */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private ensureSubscribed(): void {
    this.unsubscribe ??= subscribeChanges((change) => this.hear(change));
  }

  private hear(change: Change): void {
    const event = publicEvent(change);
    if (!event || !change.articleId) return;
    this.seq += 1;
    const sequenced: SequencedEvent = { ...event, cursor: `${this.instance}.${this.seq}` };
    const key = articleKey(change.siteId, change.articleId);
    const now = Date.now();
    const buffer = this.buffers.get(key) ?? [];
    buffer.push({ seq: this.seq, at: now, event: sequenced });
    let drop = 0;
    while (drop < buffer.length - 1 && (buffer.length - drop > BUFFER_EVENTS || now - buffer[drop].at >= BUFFER_MS)) drop += 1;
    if (drop > 0) {
      this.dropped.set(key, buffer[drop - 1].seq);
      buffer.splice(0, drop);
    }
    this.buffers.set(key, buffer);
    this.forgetQuietArticles(now);
    for (const listener of this.listeners.get(key) ?? []) listener(sequenced);
  }

  private lastPrune = 0;

  /** Drops the buffers of articles that have been quiet longer than the replay window. */
  private forgetQuietArticles(now: number): void {
    if (now - this.lastPrune < BUFFER_MS) return;
    this.lastPrune = now;
    for (const [key, buffer] of this.buffers) {
      if (buffer.length === 0 || now - buffer[buffer.length - 1].at >= BUFFER_MS) {
        this.forgottenSeq = Math.max(this.forgottenSeq, buffer.at(-1)?.seq ?? 0);
        this.buffers.delete(key);
        this.dropped.delete(key);
      }
    }
  }
}
