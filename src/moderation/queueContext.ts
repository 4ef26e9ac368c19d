import { authorSummary, type AuthorSummary } from '../admin/record';
import { readComment } from '../comments/store';
import type { CommentRecord } from '../comments/view';
import type { QueueItem } from './queue';

export interface QueueItemWithContext extends QueueItem {
  parent: { id: string; author: string; body: string; status: string } | null;
  authorRecord: AuthorSummary | null;
}

/**
 * What the console shows beside each queue item: the parent comment and the author's record. One
 * read by _id per parent and a few counts per distinct author: O(page), whatever the queue's size.
 */
export async function withQueueContext(siteId: string, items: QueueItem[]): Promise<QueueItemWithContext[]> {
  const parentIds = [...new Set(items.map((i) => i.parentId).filter((id): id is string => id !== null))];
  // One read by _id per parent: an `_id: {$in}` would scan the whole collection on FerretDB.
  const parents = await Promise.all(
    parentIds.map((id) => readComment<Pick<CommentRecord, '_id' | 'author' | 'body' | 'status'>>(id)),
  );
  const parentById = new Map(parents.filter((p) => p !== null).map((p) => [String(p._id), p]));
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
