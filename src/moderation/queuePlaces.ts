/**
 * Where a comment stands in its site's moderation queues, stored on the comment itself so that a queue
 * page is read by top-level equality, the only filter FerretDB sends to its backend:
 *
 * - every entry into a queue (pending, rejected, flagged) takes the next number of that site's queue
 *   (`queueSeq` / `flagSeq`), from an exact counter (`setExactly`, summed per instance);
 * - the entry's bucket, `<siteId>:<queue>:<seq / QUEUE_BUCKET_SIZE>`, is a top-level indexed field
 *   (`queueBucket` for pending and rejected, `flagBucket` for flagged), so one bucket is one equality
 *   query returning at most QUEUE_BUCKET_SIZE rows, whatever the queue's length;
 * - a head pointer per queue skips the leading buckets that moderators have emptied.
 *
 * Leaving a queue clears its fields in the same write that changes the status, so a bucket never holds
 * a comment that left it. Numbers only grow: an item that comes back (undo, a new flag) joins the end.
 *
 * The head is only moved forward past buckets found empty, and a comment written into a bucket behind
 * the head (its number was taken just before a reader moved the head) moves it back: the writer checks
 * the head after its write, and the reader reads the buckets it skipped once more after moving it.
 */
import { Schema, model, type Types } from 'mongoose';
import { setExactly } from '../db/atomic';
import type { CommentStatus } from '../comments/comment.model';

export const QUEUE_BUCKET_SIZE = 50;

export type QueueName = 'pending' | 'rejected' | 'flagged';

/** The queue fields a comment carries (all null outside the queues). */
export interface QueuePlace {
  queueBucket?: string | null;
  queueSeq?: number | null;
  flagBucket?: string | null;
  flagSeq?: number | null;
}

const counterSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** `<siteId>:<queue>`: numbers taken so far. `<siteId>:<queue>:head`: the first bucket that may hold items. */
    next: { type: Number },
    rev: { type: Number },
    head: { type: Number },
    headRev: { type: Number },
  },
  { versionKey: false },
);
export const QueueCounterModel = model('QueueCounter', counterSchema);

export const bucketOf = (seq: number): number => Math.floor(seq / QUEUE_BUCKET_SIZE);
export const bucketKey = (siteId: string, queue: QueueName, bucket: number): string => `${siteId}:${queue}:${bucket}`;
const counterKey = (siteId: string, queue: QueueName): string => `${siteId}:${queue}`;
const headKey = (siteId: string, queue: QueueName): string => `${siteId}:${queue}:head`;

/** The comment field holding a queue's bucket and number. */
export function queueFields(queue: QueueName): { bucket: 'queueBucket' | 'flagBucket'; seq: 'queueSeq' | 'flagSeq' } {
  return queue === 'flagged' ? { bucket: 'flagBucket', seq: 'flagSeq' } : { bucket: 'queueBucket', seq: 'queueSeq' };
}

/* Numbers: one claimed counter move per batch of simultaneous entries in this instance. */

interface Batch {
  total: number;
  parts: { offset: number; resolve: (first: number) => void; reject: (err: unknown) => void }[];
}
const batches = new Map<string, Batch>();
const lanes = new Map<string, Promise<void>>();

/** Takes `count` consecutive numbers of a site's queue; resolves with the first. Exact across instances. */
function takeNumbers(siteId: string, queue: QueueName, count: number): Promise<number> {
  const key = counterKey(siteId, queue);
  return new Promise<number>((resolve, reject) => {
    let batch = batches.get(key);
    if (!batch) {
      const own: Batch = { total: 0, parts: [] };
      batch = own;
      batches.set(key, own);
      const run = (lanes.get(key) ?? Promise.resolve()).then(async () => {
        batches.delete(key);
        try {
          const { before } = await setExactly(QueueCounterModel, key, ['next'], 'rev', (values) => ({ next: values.next + own.total }));
          for (const part of own.parts) part.resolve(before.next + part.offset);
        } catch (err) {
          for (const part of own.parts) part.reject(err);
        }
      });
      lanes.set(key, run);
      void run.then(() => {
        if (lanes.get(key) === run) lanes.delete(key);
      });
    }
    batch.parts.push({ offset: batch.total, resolve, reject });
    batch.total += count;
  });
}

/** The queue a status belongs to (flagged comes on top of pending). */
function statusQueue(status: CommentStatus | undefined | null): 'pending' | 'rejected' | null {
  return status === 'pending' || status === 'rejected' ? status : null;
}

interface Placeable {
  siteId: Types.ObjectId | string;
  status?: CommentStatus | null;
  flagged?: boolean | null;
}

/** A place taken in a queue's bucket, to check against its head once written. */
export interface Entered {
  siteId: string;
  queue: QueueName;
  bucket: number;
}

const QUEUE_NAMES: readonly string[] = ['pending', 'rejected', 'flagged'];

/** The places a written comment holds, read back from its bucket keys (for `settleHeads`). */
export function placesOf(doc: QueuePlace): Entered[] {
  const entered: Entered[] = [];
  for (const key of [doc.queueBucket, doc.flagBucket]) {
    const [siteId, queue, bucket] = (key ?? '').split(':');
    if (siteId && QUEUE_NAMES.includes(queue) && /^\d+$/.test(bucket ?? '')) entered.push({ siteId, queue: queue as QueueName, bucket: Number(bucket) });
  }
  return entered;
}

async function enter(siteId: string, queue: QueueName, entered: Entered[]): Promise<{ bucket: string; seq: number }> {
  const seq = await takeNumbers(siteId, queue, 1);
  entered.push({ siteId, queue, bucket: bucketOf(seq) });
  return { bucket: bucketKey(siteId, queue, bucketOf(seq)), seq };
}

/**
 * The queue fields of new comments, numbered in the order given (oldest first), set on each. Returns
 * the places taken, for `settleHeads` after the insert.
 */
export async function placeNewComments(docs: (Placeable & QueuePlace)[]): Promise<Entered[]> {
  const entered: Entered[] = [];
  await Promise.all(
    docs.map(async (doc) => {
      const siteId = String(doc.siteId);
      const queue = statusQueue(doc.status);
      const flagged = doc.status === 'pending' && doc.flagged === true;
      const [main, flag] = await Promise.all([queue ? enter(siteId, queue, entered) : null, flagged ? enter(siteId, 'flagged', entered) : null]);
      doc.queueBucket = main?.bucket ?? null;
      doc.queueSeq = main?.seq ?? null;
      doc.flagBucket = flag?.bucket ?? null;
      doc.flagSeq = flag?.seq ?? null;
    }),
  );
  return entered;
}

/**
 * The queue fields a status transition sets: unchanged while the comment stays in a queue, a new place
 * when it enters one, null when it leaves. `flagged` is what the comment's flag will be after it.
 */
export async function placeOnTransition(
  seen: Placeable & QueuePlace,
  to: CommentStatus,
  flagged: boolean,
): Promise<{ set: QueuePlace; entered: Entered[] }> {
  const siteId = String(seen.siteId);
  const entered: Entered[] = [];
  const set: QueuePlace = {};
  const before = statusQueue(seen.status);
  const after = statusQueue(to);
  if (!after) Object.assign(set, { queueBucket: null, queueSeq: null });
  else if (after !== before || !seen.queueBucket) {
    const place = await enter(siteId, after, entered);
    Object.assign(set, { queueBucket: place.bucket, queueSeq: place.seq });
  }
  const wasFlagged = seen.status === 'pending' && seen.flagged === true && Boolean(seen.flagBucket);
  const isFlagged = to === 'pending' && flagged;
  if (!isFlagged) Object.assign(set, { flagBucket: null, flagSeq: null });
  else if (!wasFlagged) {
    const place = await enter(siteId, 'flagged', entered);
    Object.assign(set, { flagBucket: place.bucket, flagSeq: place.seq });
  }
  return { set, entered };
}

/* Heads. */

export async function readHead(siteId: string, queue: QueueName): Promise<number> {
  const doc = await QueueCounterModel.findById(headKey(siteId, queue), { head: 1 }).lean<{ head?: number }>();
  return doc?.head ?? 0;
}

/** How many numbers a queue has given out (its last bucket is bucketOf(taken - 1)). */
export async function numbersTaken(siteId: string, queue: QueueName): Promise<number> {
  const doc = await QueueCounterModel.findById(counterKey(siteId, queue), { next: 1 }).lean<{ next?: number }>();
  return doc?.next ?? 0;
}

function moveHead(siteId: string, queue: QueueName, change: (head: number) => number): Promise<unknown> {
  return setExactly(QueueCounterModel, headKey(siteId, queue), ['head'], 'headRev', (values) => ({ head: change(values.head) }));
}

/** After a write: a place taken behind its queue's head moves the head back to it. */
export async function settleHeads(entered: Entered[]): Promise<void> {
  const lowest = new Map<string, Entered>();
  for (const place of entered) {
    const key = `${place.siteId}:${place.queue}`;
    const known = lowest.get(key);
    if (!known || place.bucket < known.bucket) lowest.set(key, place);
  }
  await Promise.all(
    [...lowest.values()].map(async ({ siteId, queue, bucket }) => {
      if ((await readHead(siteId, queue)) > bucket) await moveHead(siteId, queue, (head) => Math.min(head, bucket));
    }),
  );
}

/**
 * Moves a queue's head from `from` to `to`, the buckets between having been read empty; then reads
 * them again (`isEmpty`) and moves it back to the first that a simultaneous write filled.
 */
export async function advanceHead(
  siteId: string,
  queue: QueueName,
  from: number,
  to: number,
  isEmpty: (bucket: number) => Promise<boolean>,
): Promise<void> {
  if (to <= from) return;
  await moveHead(siteId, queue, (head) => Math.max(head, to));
  for (let bucket = from; bucket < to; bucket += 1) {
    if (!(await isEmpty(bucket))) {
      await moveHead(siteId, queue, (head) => Math.min(head, bucket));
      return;
    }
  }
}
