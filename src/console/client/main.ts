import { api, ApiError, setToken, token, type Session, type Site, type SitePage, type User } from './api';
import { QueueView, QUEUE_STATUSES, showKeys, type QueueStatus } from './queue';
import { announce, button, h, labelled, show } from './ui';
import { conversationView, recordView, searchView, settingsView } from './views';

const LINK_KEY = 'threadline-email-link';

let me: User | null = null;
let sites: Site[] = [];
let queue: QueueView | null = null;

function signInView(message = ''): void {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password' });
  const status = h('p', { role: 'alert', class: message ? 'error' : undefined }, message);
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Sign in' },
    labelled('Email', email),
    labelled('Password', password),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void api<Session>('/auth/login', { method: 'POST', body: { email: email.value, password: password.value } })
      .then((res) => start(res.token))
      .catch((err: unknown) => {
        status.className = 'error';
        status.textContent = err instanceof ApiError ? err.message : 'Sign-in failed.';
      });
  });
  const link = button('Email me a sign-in link', () => {
    if (!email.value) {
      status.textContent = 'Enter your email first.';
      email.focus();
      return;
    }
    void api('/auth/email-link', { method: 'POST', body: { email: email.value, returnTo: `${location.origin}/moderate` } })
      .then(() => {
        status.className = '';
        status.textContent = 'Check your email for a sign-in link.';
      })
      .catch((err: unknown) => {
        status.textContent = err instanceof ApiError ? err.message : 'The link could not be sent.';
      });
  });
  show('Sign in to moderate', h('p', {}, 'Admins and site moderators only.'), status, form, link);
  renderNav();
}

function renderNav(): void {
  const nav = document.getElementById('nav');
  if (!nav) return;
  if (!me) {
    nav.replaceChildren();
    return;
  }
  const current = route().siteId;
  const select = h('select', { 'aria-label': 'Site' }, ...sites.map((s) => h('option', { value: s.id }, s.name)));
  if (current) select.value = current;
  select.addEventListener('change', () => {
    location.hash = `#/site/${select.value}/queue/pending`;
  });
  const base = current ? `#/site/${current}` : '';
  nav.replaceChildren(
    select,
    ...(base
      ? [h('a', { href: `${base}/queue/pending` }, 'Queue'), h('a', { href: `${base}/search` }, 'Search'), h('a', { href: `${base}/settings` }, 'Settings')]
      : []),
    h('span', {}, me.displayName),
    button('Sign out', () => {
      void api('/auth/logout', { method: 'POST' }).catch(() => undefined);
      setToken(null);
      me = null;
      queue?.close();
      signInView('Signed out.');
    }),
  );
}

interface Route {
  siteId: string | null;
  view: string;
  arg: string;
  extra: string;
  params: URLSearchParams;
}

function route(): Route {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'site') return { siteId: null, view: '', arg: '', extra: '', params: new URLSearchParams(query) };
  return { siteId: parts[1] ?? null, view: parts[2] ?? 'queue', arg: parts[3] ?? '', extra: parts[4] ?? '', params: new URLSearchParams(query) };
}

async function navigate(): Promise<void> {
  if (!me) return;
  queue?.close();
  queue = null;
  const r = route();
  if (!r.siteId) {
    if (sites[0]) location.hash = `#/site/${sites[0].id}/queue/pending`;
    else show('No sites', h('p', {}, 'You do not moderate any site yet.'));
    return;
  }
  renderNav();
  if (me.role !== 'admin' && !sites.some((s) => s.id === r.siteId)) {
    show('Not your site', h('p', { class: 'error' }, 'You do not moderate this site.'));
    return;
  }
  try {
    if (r.view === 'queue') {
      const status = (QUEUE_STATUSES as readonly string[]).includes(r.arg) ? (r.arg as QueueStatus) : 'pending';
      queue = new QueueView(r.siteId, status, r.extra === 'watch');
      await queue.open();
    } else if (r.view === 'search') await searchView(r.siteId, r.params);
    else if (r.view === 'conversation') await conversationView(r.siteId, r.arg);
    else if (r.view === 'user') await recordView(r.siteId, r.arg);
    else if (r.view === 'settings') await settingsView(r.siteId, me);
    else show('Not found', h('p', {}, 'No such page in the console.'));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setToken(null);
      me = null;
      signInView('Your session has ended; sign in again.');
      return;
    }
    show('Something went wrong', h('p', { class: 'error' }, err instanceof ApiError ? err.message : 'The page could not be loaded.'));
  }
}

/** Signs in with a token: only admins and moderators of at least one site get in. */
async function start(newToken: string): Promise<void> {
  setToken(newToken);
  try {
    const user = await api<User>('/auth/me');
    if (user.role === 'commenter') {
      setToken(null);
      signInView('Only admins and site moderators can use the console.');
      return;
    }
    me = user;
    const list = await api<SitePage>('/sites?limit=100');
    sites = list.items;
    if (!sites.length && user.role !== 'admin') {
      setToken(null);
      me = null;
      signInView('You do not moderate any site.');
      return;
    }
    announce(`Signed in as ${user.displayName}.`);
    await navigate();
  } catch {
    setToken(null);
    me = null;
    signInView('Your session has ended; sign in again.');
  }
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !!el.closest('dialog'));
}

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
  if (event.key === '?') {
    showKeys();
    event.preventDefault();
    return;
  }
  if (queue?.key(event)) event.preventDefault();
});

/** An emailed sign-in link opens the console with its token in the fragment; true when there was one. */
async function signInByLink(): Promise<boolean> {
  const linkToken = new URLSearchParams(location.hash.replace(/^#/, '')).get(LINK_KEY);
  if (!linkToken) return false;
  history.replaceState(null, '', location.pathname);
  try {
    const res = await api<Session>('/auth/email-link/verify', { method: 'POST', body: { token: linkToken } });
    await start(res.token);
  } catch (err) {
    signInView(err instanceof ApiError ? err.message : 'The link did not work.');
  }
  return true;
}

window.addEventListener('hashchange', () => {
  void signInByLink().then((handled) => (handled ? undefined : navigate()));
});

async function boot(): Promise<void> {
  if (await signInByLink()) return;
  const saved = token();
  if (saved) await start(saved);
  else signInView();
}

void boot();
