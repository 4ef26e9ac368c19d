import { trusted } from 'mongoose';
import { authorSummary, type AuthorSummary } from '../admin/record';
import { CommentModel } from '../comments/comment.model';
import type { CommentRecord } from '../comments/view';
import type { QueueItem } from './queue';

export interface QueueItemWithContext extends QueueItem {
  parent: { id: string; author: string; body: string; status: string } | null;
  authorRecord: AuthorSummary | null;
}

/**
 * What the console shows beside each queue item: the parent comment and the author's record. One
 * query for the page's parents and a few counts per distinct author: O(page), whatever the queue's size.
 */
export async function withQueueContext(siteId: string, items: QueueItem[]): Promise<QueueItemWithContext[]> {
  const parentIds = [...new Set(items.map((i) => i.parentId).filter((id): id is string => id !== null))];
  const parents = parentIds.length
    ? await CommentModel.find({ _id: trusted({ $in: parentIds }) }, { author: 1, body: 1, status: 1 }).lean<
        Pick<CommentRecord, '_id' | 'author' | 'body' | 'status'>[]
      >()
    : [];
  const parentById = new Map(parents.map((p) => [String(p._id), p]));
  const authorIds = [...new Set(items.map((i) => i.author.id).filter((id): id is string => id !== null))];
  const summaries = new Map<string, AuthorSummary | null>();
  await Promise.all(authorIds.map(async (id) => summaries.set(id, await authorSummary(siteId, id))));
  return items.map((item) => {
    const parent = item.parentId ? parentById.get(item.parentId) : undefined;
    return {
      ...item,
      parent: parent
        ? { id: String(parent._id), author: parent.author.displayName, body: parent.status === 'deleted' ? '' : parent.body, status: parent.status }
        : null,
      authorRecord: item.author.id ? (summaries.get(item.author.id) ?? null) : null,
    };
  });
}
