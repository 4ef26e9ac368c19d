/** The console's calls to the service: same origin, bearer token from this tab's session storage. */

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

export interface User {
  id: string;
  displayName: string;
  email?: string;
  role: 'commenter' | 'moderator' | 'admin';
  banned: boolean;
}

export interface Site {
  id: string;
  name: string;
  origins: string[];
  settings: Record<string, unknown> & {
    premoderation: string;
    bannedWords: string[];
    suspectWords: string[];
    maxLinks: number;
    flagThreshold: number;
    allowGuests: boolean;
    editWindowSeconds: number;
  };
}

export interface Reason {
  code: string;
  detail?: string;
  matches?: { start: number; end: number }[];
}

export interface AuthorRecord {
  id: string;
  displayName: string;
  accountCreatedAt: string | null;
  counts: Record<string, number>;
  bannedHere: boolean;
  bannedEverywhere: boolean;
}

export interface Item {
  id: string;
  siteId: string;
  articleId: string;
  parentId: string | null;
  depth: number;
  author: { id: string | null; displayName: string };
  body: string;
  status: string;
  createdAt: string;
  featured: boolean;
  reasons: Reason[];
  flagged: boolean;
  flagCount: number;
  revision: number;
  flags?: { reason: string; note: string | null }[];
  parent?: { id: string; author: string; body: string; status: string } | null;
  authorRecord?: AuthorRecord | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  endCursor?: string | null;
}
