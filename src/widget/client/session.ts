import { ApiError, type ApiClient, type Session, type User } from './api';

function isUser(value: unknown): value is User {
  if (!value || typeof value !== 'object') return false;
  const user = value as Record<string, unknown>;
  return typeof user.id === 'string' && typeof user.displayName === 'string';
}

export function isSession(value: unknown): value is Session {
  if (!value || typeof value !== 'object') return false;
  const session = value as Record<string, unknown>;
  return typeof session.token === 'string' && session.token.length > 0 && isUser(session.user);
}

/** When a token was issued and when it expires (ms since the epoch), from its payload; null when unreadable. */
export function tokenTimes(token: string): { issued: number; expiry: number } | null {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const { iat, exp } = JSON.parse(json) as { iat?: unknown; exp?: unknown };
    return typeof exp === 'number' && typeof iat === 'number' ? { issued: iat * 1000, expiry: exp * 1000 } : null;
  } catch {
    return null;
  }
}

/** Renew this long before the token expires, so a slow network still makes it. */
const RENEW_BEFORE_MS = 120_000;
/** A reader who did something within this long counts as active. */
const ACTIVE_WITHIN_MS = 10 * 60_000;
/** After a failed renewal (network), try again this much later. */
const RETRY_MS = 30_000;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'input', 'scroll', 'focusin'] as const;

/**
 * The reader's session, shared by every widget on the page. Kept in memory and in this tab's
 * sessionStorage so a reload keeps the reader signed in. Tokens are short-lived: while the reader is
 * active the store exchanges the token for a fresh one before it expires (a bearer call, no cookie, so
 * browsers that block third-party cookies keep the session too). Sign-out and bans still end it at
 * once: the service refuses the exchange like any other call.
 */
export class SessionStore {
  private current: Session | null = null;
  private readonly listeners = new Set<(reason: 'changed' | 'ended') => void>();
  private readonly storageKey: string;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastActivity = Date.now();

  constructor(private readonly api: ApiClient) {
    this.storageKey = `threadline:session:${api.base}`;
    try {
      const stored: unknown = JSON.parse(sessionStorage.getItem(this.storageKey) ?? 'null');
      if (isSession(stored)) this.current = stored;
    } catch {
      this.current = null;
    }
    api.token = this.current?.token ?? null;
    const noteActivity = (): void => {
      this.lastActivity = Date.now();
    };
    for (const type of ACTIVITY_EVENTS) document.addEventListener(type, noteActivity, { capture: true, passive: true });
    this.schedule();
  }

  get session(): Session | null {
    return this.current;
  }

  set(session: Session | null, reason: 'changed' | 'ended' = 'changed'): void {
    this.current = session;
    this.store(session);
    this.schedule();
    for (const listener of this.listeners) listener(reason);
  }

  /** Ends a session the service no longer accepts. */
  end(): void {
    if (this.current) this.set(null, 'ended');
  }

  subscribe(listener: (reason: 'changed' | 'ended') => void): void {
    this.listeners.add(listener);
  }

  private store(session: Session | null): void {
    this.api.token = session?.token ?? null;
    try {
      if (session) sessionStorage.setItem(this.storageKey, JSON.stringify(session));
      else sessionStorage.removeItem(this.storageKey);
    } catch {
      // Storage may be disabled on the host page; the in-memory session still works.
    }
  }

  private schedule(delay?: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.current) return;
    const times = tokenTimes(this.current.token);
    if (times === null) return;
    // Never earlier than a third of the token's life from its end, so short-lived tokens do not loop.
    const margin = Math.min(RENEW_BEFORE_MS, (times.expiry - times.issued) / 3);
    const wait = delay ?? Math.max(1000, times.expiry - margin - Date.now());
    this.timer = setTimeout(() => void this.renew(), wait);
  }

  /**
   * Renews the token when the reader was active lately. An idle reader's session is left to expire;
   * their next action meets an ended session and signs in again in place, keeping what they wrote.
   */
  private async renew(): Promise<void> {
    const session = this.current;
    if (!session) return;
    const expiry = tokenTimes(session.token)?.expiry ?? 0;
    if (Date.now() - this.lastActivity > ACTIVE_WITHIN_MS) {
      // Look again while the token lasts: activity before expiry still renews it.
      if (expiry > Date.now()) this.schedule(Math.min(RETRY_MS, expiry - Date.now()));
      return;
    }
    try {
      const fresh = await this.api.refresh();
      // Another sign-in or sign-out may have happened meanwhile; only the same session is renewed.
      if (this.current !== session) return;
      this.current = { token: fresh.token, user: { ...session.user, ...fresh.user } };
      this.store(this.current);
      this.schedule();
    } catch (err) {
      if (this.current !== session) return;
      if (err instanceof ApiError && err.status === 401) this.end();
      else if (expiry > Date.now()) this.schedule(RETRY_MS);
    }
  }

  /**
   * Accepts a session posted by the service's sign-in popup. Messages from any other origin are
   * ignored: a host page or another frame must not be able to plant a session.
   */
  listenForPopupSessions(onSuccess: (session: Session) => void, onFailure: () => void): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (event.origin !== this.api.base) return;
      const data = event.data as Record<string, unknown> | null;
      if (!data || typeof data !== 'object' || data.type !== 'threadline:auth') return;
      const session = { token: data.token, user: data.user };
      if (isSession(session)) {
        this.set(session);
        onSuccess(session);
      } else {
        onFailure();
      }
    });
  }
}
