/** The service's JSON API as the widget uses it. Every failure becomes an ApiError with a readable message. */

// Type-only imports: the shapes come from the service's own schemas, and nothing of them enters the bundle.
import type { z } from 'zod';
import type { SessionJson, UserJson } from '../../accounts/schemas';
import type { CommentJson, CommentPageJson, postCommentSchema } from '../../comments/schemas';
import type { ThreadSort } from '../../comments/cursor';
import type { FlagReason } from '../../shared/limits';

export type { FlagReason } from '../../shared/limits';

export type Author = CommentJson['author'];

/** What a guest types instead of signing in; the email is never shown to readers. */
export type GuestDetails = NonNullable<z.input<typeof postCommentSchema>['guest']>;

export type CommentStatus = CommentJson['status'];

/** A comment of a thread page; `html` is rendered and sanitized by the service: the only text the widget inserts as HTML. */
export type ThreadComment = CommentJson;

/** A thread page, with the site's edit window and guest rule, so the widget offers exactly what the service accepts. */
export type ThreadPage = CommentPageJson;

export type User = UserJson;
export type Session = SessionJson;

export interface ReturnTarget {
  siteId: string;
  returnTo: string;
}

export type SortOrder = ThreadSort;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    /** Per-field messages, by the service's field path (e.g. `guest.email`). */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * Why the service refused a comment, in words a reader understands. The service names its reasons by
 * code (`banned-word: lanternfish`); the reader never sees a code.
 */
const REASON_TEXT: Record<string, (detail: string) => string> = {
  'banned-word': (detail) => `it contains a word this site does not allow${detail ? ` (“${detail}”)` : ''}`,
  profanity: () => 'it contains language this site does not allow',
  'suspect-word': (detail) => `it contains a word a moderator needs to check${detail ? ` (“${detail}”)` : ''}`,
  'too-many-links': () => 'it has more links than this site allows',
  'first-comment': () => 'first comments on this site are checked by a moderator',
  premoderation: () => 'every comment on this site is checked by a moderator',
  flagged: () => 'readers asked a moderator to look at it',
  guest: () => 'comments from guests are checked by a moderator',
};

/** One sentence for a list of `code` or `code: detail` reasons; unknown codes get a general reason. */
export function plainReasons(messages: string[]): string {
  const parts = new Set<string>();
  for (const message of messages) {
    const colon = message.indexOf(':');
    const code = (colon < 0 ? message : message.slice(0, colon)).trim();
    const detail = colon < 0 ? '' : message.slice(colon + 1).trim();
    const explain = REASON_TEXT[code];
    parts.add(explain ? explain(detail) : 'it breaks this site’s rules');
  }
  const list = [...parts];
  if (list.length === 0) return 'it breaks this site’s rules';
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

interface Problem {
  detail?: unknown;
  title?: unknown;
  errors?: unknown;
}

function problemText(problem: Problem | null, fallback: string): string {
  if (problem && typeof problem.detail === 'string' && problem.detail) return problem.detail;
  if (problem && typeof problem.title === 'string' && problem.title) return problem.title;
  return fallback;
}

/** Field errors said as sentences; the comment text is what a reader knows as "your comment". */
function fieldErrorText(problem: Problem | null): string {
  if (!problem || !Array.isArray(problem.errors)) return '';
  const sentences: string[] = [];
  for (const error of problem.errors as unknown[]) {
    const { path, message } = (error ?? {}) as { path?: unknown; message?: unknown };
    if (typeof message !== 'string' || !message) continue;
    sentences.push(`${path === 'body' ? 'Your comment' : typeof path === 'string' ? path : 'This'} ${message}.`);
  }
  return sentences.join(' ');
}

/** Each field's own message, for showing beside that field. */
function fieldMessages(problem: Problem | null): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!problem || !Array.isArray(problem.errors)) return fields;
  for (const error of problem.errors as unknown[]) {
    const { path, message } = (error ?? {}) as { path?: unknown; message?: unknown };
    if (typeof path === 'string' && typeof message === 'string' && message && !fields[path]) fields[path] = message;
  }
  return fields;
}

/** A wait in the largest unit that keeps it honest: rate-limit windows may last hours. */
function waitText(seconds: number): string {
  const [amount, unit] =
    seconds < 120 ? [seconds, 'second'] : seconds < 7200 ? [Math.ceil(seconds / 60), 'minute'] : [Math.ceil(seconds / 3600), 'hour'];
  return `Try again in ${amount} ${unit}${amount === 1 ? '' : 's'}.`;
}

/** Turns a failed response into the message a reader sees, per status. */
function errorFor(status: number, problem: Problem | null, retryAfter: string | null): ApiError {
  const detail = problemText(problem, '');
  switch (status) {
    case 429: {
      const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
      const wait = seconds ? waitText(seconds) : 'Try again shortly.';
      return new ApiError(status, `You are doing that too often. ${wait}`, seconds);
    }
    case 422: {
      // The service's detail names internal reason codes; the reader gets them in plain words.
      const reasons = Array.isArray(problem?.errors)
        ? (problem.errors as unknown[]).map((error) => (error as { message?: unknown } | null)?.message).filter((m): m is string => typeof m === 'string')
        : [];
      if (reasons.length > 0) return new ApiError(status, `Your comment was not accepted: ${plainReasons(reasons)}. Change it and try again.`);
      return new ApiError(status, detail || 'Your comment was not accepted: it breaks this site’s rules.');
    }
    case 403:
      return new ApiError(status, detail || 'You are not allowed to do this.');
    case 401:
      return new ApiError(status, detail || 'Please sign in again.');
    case 400:
      return new ApiError(status, fieldErrorText(problem) || detail || 'That request was not valid.', null, fieldMessages(problem));
    default:
      return new ApiError(status, detail || `Something went wrong (${status}). Try again.`);
  }
}

export class ApiClient {
  token: string | null = null;

  constructor(readonly base: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
      });
    } catch {
      throw new ApiError(0, 'The comment service could not be reached. Check your connection and try again.');
    }
    const text = await response.text();
    let data: unknown = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!response.ok) throw errorFor(response.status, data as Problem | null, response.headers.get('Retry-After'));
    return data as T;
  }

  thread(siteId: string, articleId: string, sort: SortOrder, cursor: string | null): Promise<ThreadPage> {
    const query = new URLSearchParams({ sort, limit: '20' });
    if (cursor) query.set('cursor', cursor);
    return this.request('GET', `${articlePath(siteId, articleId)}/comments?${query.toString()}`);
  }

  /** Signed in, or as a guest with `guest` (where the site allows guests). */
  post(siteId: string, articleId: string, body: string, parentId: string | null, guest?: GuestDetails): Promise<ThreadComment> {
    return this.request('POST', `${articlePath(siteId, articleId)}/comments`, { body, ...(parentId ? { parentId } : {}), ...(guest ? { guest } : {}) });
  }

  edit(commentId: string, body: string): Promise<ThreadComment> {
    return this.request('PATCH', `/api/v1/comments/${encodeURIComponent(commentId)}`, { body });
  }

  remove(commentId: string): Promise<void> {
    return this.request('DELETE', `/api/v1/comments/${encodeURIComponent(commentId)}`);
  }

  vote(commentId: string, value: 1 | 0 | -1): Promise<{ score: number }> {
    return this.request('PUT', `/api/v1/comments/${encodeURIComponent(commentId)}/vote`, { value });
  }

  flag(commentId: string, reason: FlagReason): Promise<unknown> {
    return this.request('POST', `/api/v1/comments/${encodeURIComponent(commentId)}/flags`, { reason });
  }

  login(email: string, password: string): Promise<Session> {
    return this.request('POST', '/api/v1/auth/login', { email, password });
  }

  /** The verification mail links back to `target.returnTo`, where the widget finishes the check. */
  register(email: string, password: string, displayName: string, target: ReturnTarget): Promise<Session> {
    return this.request('POST', '/api/v1/auth/register', { email, password, displayName, ...target });
  }

  /** The emailed link opens `target.returnTo` with the token in its fragment. */
  requestEmailLink(email: string, target: ReturnTarget): Promise<unknown> {
    return this.request('POST', '/api/v1/auth/email-link', { email, ...target });
  }

  /** Signs the confirmer in: a confirmation opened outside the account's own session ends its other sessions. */
  verifyEmail(token: string): Promise<Session> {
    return this.request('POST', '/api/v1/auth/verify-email', { token });
  }

  verifyEmailLink(token: string): Promise<Session> {
    return this.request('POST', '/api/v1/auth/email-link/verify', { token });
  }

  me(): Promise<User> {
    return this.request('GET', '/api/v1/auth/me');
  }

  /** A fresh token for a valid one: how an active reader stays signed in without cookies. */
  refresh(): Promise<Session> {
    return this.request('POST', '/api/v1/auth/refresh');
  }

  /** The draft rendered by the service's own Markdown renderer and sanitizer. */
  preview(siteId: string, body: string): Promise<{ html: string }> {
    return this.request('POST', `/api/v1/sites/${encodeURIComponent(siteId)}/comments/preview`, { body });
  }

  logout(): Promise<void> {
    return this.request('POST', '/api/v1/auth/logout');
  }

  counts(siteId: string, articleIds: string[]): Promise<Record<string, number>> {
    const query = new URLSearchParams({ articles: articleIds.join(',') });
    return this.request('GET', `/api/v1/sites/${encodeURIComponent(siteId)}/counts?${query.toString()}`);
  }
}

function articlePath(siteId: string, articleId: string): string {
  return `/api/v1/sites/${encodeURIComponent(siteId)}/articles/${encodeURIComponent(articleId)}`;
}

/** The origin the script was loaded from: the API lives there, whatever page embeds it. */
export function scriptOrigin(fileName: string): string {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return new URL(current.src).origin;
  for (const script of Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]'))) {
    const url = new URL(script.src, location.href);
    if (url.pathname.endsWith(fileName)) return url.origin;
  }
  return location.origin;
}
