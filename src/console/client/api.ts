/** The console's calls to the service: same origin, bearer token from this tab's session storage. */

import type { z } from 'zod';
import type { sessionJsonSchema, userJsonSchema } from '../../accounts/schemas';
import type { commenterRecordSchema, embedSnippetSchema, siteListSchema, userListSchema } from '../../admin/schemas';
import type {
  bulkResultSchema,
  conversationSchema,
  moderatedCommentSchema,
  queueItemSchema,
  queuePageSchema,
  queueQuerySchema,
  reasonJsonSchema,
  searchResultSchema,
  watchListJsonSchema,
} from '../../moderation/schemas';
import type { queueTicketSchema } from '../../moderation/queueEvents';
import type { siteJsonSchema } from '../../sites/schemas';

const TOKEN_KEY = 'threadline-console-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Calls `/api/v1<path>`; a problem answer becomes an ApiError with its detail. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const bearer = token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const detail = data && typeof data === 'object' && 'detail' in data ? String((data as { detail: unknown }).detail) : res.statusText;
    throw new ApiError(res.status, detail);
  }
  return data as T;
}

export const q = encodeURIComponent;

/*
 * The answers' shapes, type-only from the service's own schemas: nothing of them enters the bundle, and a
 * change to an answer shows up here as a type error instead of a silent drift.
 */
export type User = z.output<typeof userJsonSchema>;
export type Site = z.output<typeof siteJsonSchema>;
export type SiteSettings = Site['settings'];
export type SitePage = z.output<typeof siteListSchema>;
export type UserList = z.output<typeof userListSchema>;
export type Reason = z.output<typeof reasonJsonSchema>;
export type ReasonCode = Reason['code'];
export type QueueStatus = z.output<typeof queueQuerySchema>['status'];
export type QueuePage = z.output<typeof queuePageSchema>;
export type SearchPage = z.output<typeof searchResultSchema>;
export type Conversation = z.output<typeof conversationSchema>;
export type CommenterRecord = z.output<typeof commenterRecordSchema>;
export type WatchList = z.output<typeof watchListJsonSchema>;
export type BulkResult = z.output<typeof bulkResultSchema>;
export type EmbedSnippet = z.output<typeof embedSnippetSchema>;
export type Session = z.output<typeof sessionJsonSchema>;
export type QueueTicket = z.output<typeof queueTicketSchema>;

type QueueItem = z.output<typeof queueItemSchema>;

/** A comment as a moderator sees it: queue items also carry flags, parent and the author's record; search results do not. */
export type Item = z.output<typeof moderatedCommentSchema> & Partial<Pick<QueueItem, 'flags' | 'parent' | 'authorRecord'>>;
