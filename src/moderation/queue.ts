import { Types } from 'mongoose';
import { z } from 'zod';
import type { CommentStatus } from '../comments/comment.model';
import { readQueuePage } from '../comments/store';
import { badRequest } from '../http/problem';
import { FlagModel } from './flag.model';
import { toModeratedCommentJson, type FlagSummary, type ModeratedComment, type ModeratedCommentJson } from './view';
import { op } from '../db/atomic';

export const QUEUE_STATUSES = ['pending', 'flagged', 'rejected'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

export interface QueueItem extends ModeratedCommentJson {
  flags: FlagSummary[];
}

/** Where a page ended: the last item's createdAt (ms) and id. Bound to the status it was issued for. */
const cursorSchema = z
  .object({ s: z.enum(QUEUE_STATUSES), k: z.number().int(), i: z.string().regex(/^[a-f0-9]{24}$/) })
  .strict();

function encodeCursor(status: QueueStatus, comment: ModeratedComment): string {
  return Buffer.from(JSON.stringify({ s: status, k: comment.createdAt.getTime(), i: String(comment._id) })).toString(
    'base64url',
  );
}

/**
 * A cursor just after the given item, even on the last page: the console polls the queue from the
 * end it has reached, so a poll reads only items newer than those shown.
 */
export function queueCursorAfter(status: QueueStatus, item: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify({ s: status, k: Date.parse(item.createdAt), i: item.id })).toString('base64url');
}

function decodeCursor(value: string, status: QueueStatus): { key: Date; id: Types.ObjectId } {
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
  return { key: new Date(result.data.k), id: new Types.ObjectId(result.data.i) };
}

function queueOf(status: QueueStatus): { status: CommentStatus } | { flagged: true } {
  if (status === 'flagged') return { flagged: true };
  return { status };
}

/** One page of a site's queue, oldest first, paged on (createdAt, _id), with each comment's flags. */
export async function readQueue(
  siteId: string,
  options: { status: QueueStatus; limit: number; cursor?: string; articles?: string[] },
): Promise<{ items: QueueItem[]; nextCursor: string | null }> {
  const after = options.cursor ? decodeCursor(options.cursor, options.status) : null;
  const page = await readQueuePage<ModeratedComment>(siteId, queueOf(options.status), after, options.limit + 1, options.articles);
  const hasMore = page.length > options.limit;
  const comments = hasMore ? page.slice(0, options.limit) : page;

  const flags = comments.length
    ? await FlagModel.find({ commentId: op({ $in: comments.map((c) => c._id) }) })
        .sort({ createdAt: 1 })
        .lean()
    : [];
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
    nextCursor: hasMore ? encodeCursor(options.status, comments[comments.length - 1]) : null,
  };
}
