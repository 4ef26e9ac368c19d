import { z } from 'zod';
import { readArticleQueue, readQueueBucket } from '../comments/store';
import { badRequest } from '../http/problem';
import { FlagModel } from './flag.model';
import { toModeratedCommentJson, type FlagSummary, type ModeratedComment, type ModeratedCommentJson } from './view';
import {
  advanceHead,
  bucketKey,
  bucketOf,
  numbersTaken,
  QUEUE_BUCKET_SIZE,
  queueFields,
  readHead,
  type QueueName,
  type QueuePlace,
} from './queuePlaces';

export const QUEUE_STATUSES = ['pending', 'flagged', 'rejected'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

export interface QueueItem extends ModeratedCommentJson {
  flags: FlagSummary[];
}

/** Where a page ended: the queue's number of the last item read (-1: before the first). Bound to its queue. */
const cursorSchema = z.object({ s: z.enum(QUEUE_STATUSES), q: z.number().int().min(-1) }).strict();

function encodeCursor(status: QueueStatus, seq: number): string {
  return Buffer.from(JSON.stringify({ s: status, q: seq })).toString('base64url');
}

function decodeCursor(value: string, status: QueueStatus): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success || result.data.s !== status) {
    throw badRequest('The cursor is not valid for this queue; start again without one.', [
      { path: 'cursor', message: 'not a cursor for this queue' },
    ]);
  }
  return result.data.q;
}

/** A comment read from a queue, with its number there. */
type Queued = ModeratedComment & QueuePlace;

const seqIn = (queue: QueueName) => (comment: Queued): number => comment[queueFields(queue).seq] ?? -1;

/** At most this many buckets are read for one page; a page cut short by it still has a nextCursor. */
const MAX_BUCKETS_PER_READ = 64;

/**
 * Up to `wanted` items of a site's queue after number `after`, oldest first, bucket by bucket from the
 * queue's head; moves the head past leading buckets found empty. `end` is the number the read reached.
 */
async function readBuckets(siteId: string, queue: QueueName, after: number, wanted: number): Promise<{ page: Queued[]; end: number; more: boolean }> {
  const field = queueFields(queue).bucket;
  const seq = seqIn(queue);
  const [taken, head] = await Promise.all([numbersTaken(siteId, queue), readHead(siteId, queue)]);
  const last = bucketOf(taken - 1);
  const first = Math.max(head, bucketOf(after + 1));
  const page: Queued[] = [];
  let leadingEmpty = first === head ? head : null;
  let bucket = first;
  // Leading empty buckets are read through (once: the head then moves past them); holes after the first
  // item count towards MAX_BUCKETS_PER_READ.
  let counted = 0;
  for (; bucket <= last && page.length < wanted && counted < MAX_BUCKETS_PER_READ; bucket += 1) {
    const rows = await readQueueBucket<Queued>(field, bucketKey(siteId, queue, bucket));
    if (rows.length === 0 && leadingEmpty === bucket) {
      leadingEmpty = bucket + 1;
      continue;
    }
    counted += 1;
    page.push(...rows.filter((row) => seq(row) > after).sort((a, b) => seq(a) - seq(b)));
  }
  if (leadingEmpty !== null && leadingEmpty > head) {
    // Never past the last bucket: numbers taken after `taken` was read may still be written there.
    await advanceHead(siteId, queue, head, Math.min(leadingEmpty, last), async (b) =>
      (await readQueueBucket(field, bucketKey(siteId, queue, b))).length === 0,
    );
  }
  const more = page.length > wanted || bucket <= last;
  return { page: page.slice(0, wanted), end: bucket * QUEUE_BUCKET_SIZE - 1, more };
}

/** A watch list's queue: each watched article's items by equality, merged in queue order. */
async function readWatched(siteId: string, queue: QueueName, articles: string[], after: number): Promise<Queued[]> {
  const seq = seqIn(queue);
  const filter = queue === 'flagged' ? { status: 'pending' as const, flagged: true as const } : { status: queue };
  const lists = await Promise.all(articles.map((articleId) => readArticleQueue<Queued>(siteId, articleId, filter)));
  return lists.flat().filter((row) => seq(row) > after).sort((a, b) => seq(a) - seq(b));
}

/**
 * One page of a site's queue, oldest first (in the order items entered it), with each comment's flags.
 * `endCursor` is where the page ended, even when nothing follows yet: the console polls from there.
 */
export async function readQueue(
  siteId: string,
  options: { status: QueueStatus; limit: number; cursor?: string; articles?: string[] },
): Promise<{ items: QueueItem[]; nextCursor: string | null; endCursor: string | null }> {
  const queue: QueueName = options.status;
  const after = options.cursor ? decodeCursor(options.cursor, options.status) : -1;
  let comments: Queued[];
  let nextAfter: number | null;
  if (options.articles?.length) {
    const all = await readWatched(siteId, queue, options.articles, after);
    comments = all.slice(0, options.limit);
    nextAfter = all.length > options.limit ? seqIn(queue)(comments[comments.length - 1]) : null;
  } else {
    const read = await readBuckets(siteId, queue, after, options.limit + 1);
    const hasMore = read.page.length > options.limit;
    comments = read.page.slice(0, options.limit);
    if (hasMore) nextAfter = seqIn(queue)(comments[comments.length - 1]);
    else nextAfter = read.more ? read.end : null;
  }
  const lastSeq = comments.length ? seqIn(queue)(comments[comments.length - 1]) : null;

  // Each flagged comment's flags by equality on its id: a `commentId: {$in}` would scan every flag on FerretDB.
  const flags = (
    await Promise.all(
      comments.filter((c) => (c.flagCount ?? 0) > 0).map((c) => FlagModel.find({ commentId: c._id }).sort({ createdAt: 1 }).limit(100).lean()),
    )
  ).flat();
  const flagsByComment = new Map<string, FlagSummary[]>();
  for (const flag of flags) {
    const key = String(flag.commentId);
    const list = flagsByComment.get(key) ?? [];
    list.push({ reason: flag.reason, note: flag.note ?? null, at: flag.createdAt.toISOString() });
    flagsByComment.set(key, list);
  }

  return {
    items: comments.map((comment) => ({
      ...toModeratedCommentJson(comment),
      flags: flagsByComment.get(String(comment._id)) ?? [],
    })),
    nextCursor: nextAfter === null ? null : encodeCursor(options.status, nextAfter),
    endCursor: lastSeq === null ? (options.cursor ?? null) : encodeCursor(options.status, lastSeq),
  };
}
