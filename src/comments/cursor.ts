import { z } from 'zod';
import { badRequest } from '../http/problem';

export const THREAD_SORTS = ['oldest', 'newest', 'top'] as const;
export type ThreadSort = (typeof THREAD_SORTS)[number];

/** Where a page of roots ended: the last root's sort key and id, so the next page starts right after it. */
export interface ThreadCursor {
  sort: ThreadSort;
  /** createdAt in ms for oldest/newest, score for top. */
  key: number;
  id: string;
}

const cursorSchema = z
  .object({
    s: z.enum(THREAD_SORTS),
    k: z.number().finite(),
    i: z.string().regex(/^[a-f0-9]{24}$/),
  })
  .strict();

export function encodeCursor(cursor: ThreadCursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.sort, k: cursor.key, i: cursor.id })).toString('base64url');
}

/** Opaque to clients; anything that is not a cursor we issued for this sort is a 400. */
export function decodeCursor(value: string, sort: ThreadSort): ThreadCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('The cursor is not valid; start again without one.', [{ path: 'cursor', message: 'not a cursor' }]);
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success || result.data.s !== sort) {
    throw badRequest('The cursor is not valid for this sort; start again without one.', [
      { path: 'cursor', message: 'not a cursor for this sort' },
    ]);
  }
  return { sort: result.data.s, key: result.data.k, id: result.data.i };
}
