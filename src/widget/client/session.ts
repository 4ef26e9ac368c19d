import type { ApiClient, Session, User } from './api';

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

/**
 * The reader's session, shared by every widget on the page. Kept in memory and in this tab's
 * sessionStorage so a reload keeps the reader signed in; the token is short-lived.
 */
export class SessionStore {
  private current: Session | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly storageKey: string;

  constructor(private readonly api: ApiClient) {
    this.storageKey = `threadline:session:${api.base}`;
    try {
      const stored: unknown = JSON.parse(sessionStorage.getItem(this.storageKey) ?? 'null');
      if (isSession(stored)) this.current = stored;
    } catch {
      this.current = null;
    }
    api.token = this.current?.token ?? null;
  }

  get session(): Session | null {
    return this.current;
  }

  set(session: Session | null): void {
    this.current = session;
    this.api.token = session?.token ?? null;
    try {
      if (session) sessionStorage.setItem(this.storageKey, JSON.stringify(session));
      else sessionStorage.removeItem(this.storageKey);
    } catch {
      // Storage may be disabled on the host page; the in-memory session still works.
    }
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): void {
    this.listeners.add(listener);
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
