import { Router } from 'express';

/**
 * The service's own account page, where emailed account links land (`/account#threadline-…=<token>`):
 * choose a new password, confirm a new or first address; and, signed in (password or reset), download
 * my data, sign out everywhere, delete my account. Plain DOM code served as a file (the CSP allows only
 * scripts from this origin); every text it shows is set with textContent. The session lives in this
 * tab's sessionStorage only.
 */
const ACCOUNT_SCRIPT = `(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const api = async (method, path, body) => {
    const headers = { Accept: 'application/json' };
    const token = sessionStorage.getItem('threadline-account');
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 204 || res.status === 202) return null;
    const data = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    if (!res.ok) throw new Error((data && data.detail) || 'That did not work (' + res.status + ').');
    return data;
  };
  const say = (text, kind) => { const s = $('status'); s.textContent = text; s.dataset.kind = kind || 'info'; };
  const show = (id, on) => { $(id).hidden = !on; };
  const signedIn = (session) => {
    if (session) sessionStorage.setItem('threadline-account', session.token);
    render();
  };
  const render = async () => {
    const token = sessionStorage.getItem('threadline-account');
    show('signin', !token); show('panel', Boolean(token));
    if (!token) return;
    try { const me = await api('GET', '/auth/me'); $('who').textContent = me.displayName + (me.email ? ' (' + me.email + ')' : ''); }
    catch (e) { sessionStorage.removeItem('threadline-account'); show('signin', true); show('panel', false); }
  };
  const params = new URLSearchParams(location.hash.slice(1));
  const take = (key) => { const v = params.get(key); if (v) { params.delete(key); history.replaceState(null, '', location.pathname + (params.toString() ? '#' + params : '')); } return v; };
  const reset = take('threadline-password-reset');
  const change = take('threadline-change-email');
  const verify = take('threadline-verify-email');
  if (reset) { show('reset', true); $('reset').addEventListener('submit', async (ev) => { ev.preventDefault();
    try { signedIn(await api('POST', '/auth/password-reset/confirm', { token: reset, password: $('new-password').value })); show('reset', false); say('Your password is changed, and you are signed in. Every other session has ended.', 'success'); }
    catch (e) { say(e.message, 'error'); } }); }
  if (change) api('POST', '/auth/change-email/confirm', { token: change }).then(() => say('Your new email address is confirmed.', 'success'), (e) => say(e.message, 'error'));
  if (verify) api('POST', '/auth/verify-email', { token: verify }).then((s) => { signedIn(s); say('Your email address is confirmed.', 'success'); }, (e) => say(e.message, 'error'));
  $('signin').addEventListener('submit', async (ev) => { ev.preventDefault();
    try { signedIn(await api('POST', '/auth/login', { email: $('email').value, password: $('password').value })); say('Signed in.', 'success'); }
    catch (e) { say(e.message, 'error'); } });
  $('forgot').addEventListener('click', async () => {
    try { await api('POST', '/auth/password-reset', { email: $('email').value }); say('If this address has an account, a link to choose a new password is on its way.', 'success'); }
    catch (e) { say(e.message, 'error'); } });
  $('export').addEventListener('click', async () => {
    try {
      const res = await fetch('/api/v1/me/export', { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('threadline-account') } });
      if (!res.ok) throw new Error('The export did not work (' + res.status + ').');
      const link = document.createElement('a');
      link.href = URL.createObjectURL(await res.blob()); link.download = 'threadline-my-data.json';
      document.body.append(link); link.click(); link.remove(); say('Your data is downloaded.', 'success');
    } catch (e) { say(e.message, 'error'); } });
  $('everywhere').addEventListener('click', async () => {
    try { await api('POST', '/auth/logout-everywhere'); sessionStorage.removeItem('threadline-account'); render(); say('Signed out everywhere.', 'success'); }
    catch (e) { say(e.message, 'error'); } });
  $('delete').addEventListener('submit', async (ev) => { ev.preventDefault();
    try { await api('DELETE', '/me', $('delete-password').value ? { password: $('delete-password').value } : {}); sessionStorage.removeItem('threadline-account'); render(); say('Your account is deleted.', 'success'); }
    catch (e) { say(e.message, 'error'); } });
  render();
})();
`;

const ACCOUNT_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Your comments account</title>
<link rel="stylesheet" href="/embed/page.css"></head>
<body><main>
<h1>Your comments account</h1>
<p id="status" role="status" aria-live="polite"></p>
<form id="reset" hidden><label for="new-password">New password</label> <input id="new-password" type="password" autocomplete="new-password" required minlength="10"> <button type="submit">Set new password</button></form>
<form id="signin" hidden>
<p><label for="email">Email address</label> <input id="email" type="email" autocomplete="email" required></p>
<p><label for="password">Password</label> <input id="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Sign in</button> <button type="button" id="forgot">Forgot password</button></p>
</form>
<section id="panel" hidden>
<p>Signed in as <strong id="who"></strong></p>
<p><button type="button" id="export">Download my data</button> <button type="button" id="everywhere">Sign out everywhere</button></p>
<form id="delete"><h2>Delete my account</h2><p>Your comments become "deleted account" tombstones; replies stay. Your email address is erased.</p>
<label for="delete-password">Password (if you have one)</label> <input id="delete-password" type="password" autocomplete="current-password"> <button type="submit">Delete my account</button></form>
</section>
</main><script src="/account.js"></script></body></html>
`;

export function accountPageRoutes(): Router {
  const router = Router();
  router.get('/account', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-store').send(ACCOUNT_HTML);
  });
  router.get('/account.js', (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'public, max-age=300').send(ACCOUNT_SCRIPT);
  });
  return router;
}
