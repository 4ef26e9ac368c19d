import { ApiClient, scriptOrigin } from './api';
import { SessionStore } from './session';
import { CommentWidget, SIGN_IN_FRAGMENT_KEY, VERIFY_EMAIL_FRAGMENT_KEY } from './widget';

const api = new ApiClient(scriptOrigin('/embed.js'));
const sessions = new SessionStore(api);
const widgets: CommentWidget[] = [];
const sayEverywhere = (message: string, kind: 'info' | 'error' | 'success'): void => {
  for (const widget of widgets) widget.say(message, kind);
};
sessions.listenForPopupSessions(
  (session) => sayEverywhere(`Signed in as ${session.user.displayName}.`, 'success'),
  () => sayEverywhere('Sign-in with Facebook did not finish. Try again.', 'error'),
);

/** Takes an emailed token out of the address bar at once, so it is not bookmarked, shared or reused. */
function takeFragmentToken(key: string): string | null {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get(key);
  if (!token) return null;
  params.delete(key);
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
  return token;
}

async function finishEmailLinks(): Promise<void> {
  const signInToken = takeFragmentToken(SIGN_IN_FRAGMENT_KEY);
  const verifyToken = takeFragmentToken(VERIFY_EMAIL_FRAGMENT_KEY);
  try {
    if (signInToken) {
      const session = await api.verifyEmailLink(signInToken);
      sessions.set(session);
      sayEverywhere(`Signed in as ${session.user.displayName}.`, 'success');
    }
    if (verifyToken) {
      sessions.set(await api.verifyEmail(verifyToken));
      sayEverywhere('Your email address is confirmed. Thank you.', 'success');
    }
  } catch (err) {
    sayEverywhere(err instanceof Error ? err.message : 'That link did not work.', 'error');
  }
}

function mountAll(): void {
  const hosts = document.querySelectorAll<HTMLElement>('[data-site][data-article]:not([data-comment-count])');
  for (const host of Array.from(hosts)) {
    if (host.dataset.threadlineMounted) continue;
    const siteId = host.dataset.site ?? '';
    const articleId = host.dataset.article ?? '';
    if (!siteId || !articleId) continue;
    host.dataset.threadlineMounted = 'true';
    widgets.push(new CommentWidget(host, api, sessions, siteId, articleId));
  }
  void finishEmailLinks();
}

// A link opened in the tab that already shows the article changes only the fragment.
window.addEventListener('hashchange', () => void finishEmailLinks());

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mountAll);
else mountAll();
