import {
  api,
  ApiError,
  q,
  type CommenterRecord,
  type Conversation,
  type EmbedSnippet,
  type Item,
  type SearchPage,
  type Site,
  type SiteSettings,
  type User,
  type UserList,
} from './api';
import { banAuthor, decisionBody, renderItem, toggleFeatured, type ItemActions } from './items';
import { announce, button, h, labelled, show } from './ui';

/** Actions on comments outside the queue (search, conversation): in place, the list re-renders. */
function inPlaceActions(siteId: string, reload: () => void): ItemActions {
  const decide = async (item: Item, decision: 'approve' | 'reject'): Promise<void> => {
    const body = await decisionBody(item, decision);
    if (!body) return;
    try {
      await api(`/comments/${item.id}/${decision}`, { method: 'POST', body });
      announce(`${decision === 'approve' ? 'Approved' : 'Rejected'} the comment by ${item.author.displayName}.`);
    } catch (err) {
      announce(err instanceof ApiError && err.status === 409 ? 'Decided by another moderator.' : err instanceof Error ? err.message : 'Failed.');
    }
    reload();
  };
  return {
    siteHref: `#/site/${siteId}`,
    approve: (item) => void decide(item, 'approve'),
    reject: (item) => void decide(item, 'reject'),
    ban: (item) => void (item.author.id && banAuthor(siteId, item.author.id, item.author.displayName)),
    feature: (item) => void toggleFeatured(item).then(reload),
  };
}

export async function conversationView(siteId: string, commentId: string): Promise<void> {
  const list = h('ul', { class: 'items', 'aria-label': 'Conversation' });
  show('Conversation', h('p', {}, h('a', { href: `#/site/${siteId}/queue/pending` }, 'Back to the queue')), list);
  const load = async (): Promise<void> => {
    const data = await api<Conversation>(`/comments/${commentId}/conversation`);
    const actions = inPlaceActions(siteId, () => void load());
    list.replaceChildren(
      ...data.items.map((item) => {
        const li = renderItem(item, actions);
        li.classList.add(`depth${Math.min(item.depth, 8)}`);
        if (item.id === commentId) li.classList.add('current');
        return li;
      }),
    );
  };
  await load();
}

export async function searchView(siteId: string, params: URLSearchParams): Promise<void> {
  const text = h('input', { type: 'search', name: 'q' });
  const author = h('input', { type: 'text', name: 'author' });
  const article = h('input', { type: 'text', name: 'article' });
  text.value = params.get('q') ?? '';
  author.value = params.get('author') ?? '';
  article.value = params.get('article') ?? '';
  const form = h(
    'form',
    { class: 'stack', role: 'search' },
    labelled('Text', text),
    labelled('Author (name or id)', author),
    labelled('Article id', article),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search')),
  );
  const results = h('ul', { class: 'items', 'aria-label': 'Results' });
  const summary = h('p', { role: 'status' });
  show('Search comments', form, summary, results);
  const run = async (): Promise<void> => {
    const query = [['q', text.value], ['author', author.value], ['article', article.value]]
      .filter(([, v]) => v.trim())
      .map(([k, v]) => `${k}=${q(v.trim())}`);
    const page = await api<SearchPage>(`/sites/${siteId}/moderation/search?${[...query, 'limit=50'].join('&')}`);
    summary.textContent = `${page.items.length} found${page.nextCursor ? ' (more exist; narrow the search)' : ''}.`;
    results.replaceChildren(...page.items.map((item) => renderItem(item, inPlaceActions(siteId, () => void run()))));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void run().catch((err: unknown) => {
      summary.textContent = err instanceof Error ? err.message : 'Search failed.';
    });
  });
  if (text.value || author.value || article.value) await run();
}

export async function recordView(siteId: string, userId: string): Promise<void> {
  const record = await api<CommenterRecord>(`/sites/${siteId}/users/${userId}`);
  const counts = Object.entries(record.summary.counts).map(([k, v]) => `${v} ${k}`).join(' · ');
  const lift = record.summary.bannedHere
    ? button('Lift the ban on this site', () => {
        void api(`/sites/${siteId}/bans/${userId}`, { method: 'DELETE' }).then(() => {
          announce('Ban lifted.');
          void recordView(siteId, userId);
        });
      })
    : button('Ban on this site', () => void banAuthor(siteId, userId, record.user.displayName).then(() => recordView(siteId, userId)));
  show(
    record.user.displayName,
    h('p', {}, `Account since ${record.user.createdAt ? new Date(record.user.createdAt).toLocaleDateString() : 'unknown'} · ${counts} · ${record.flagsAgainst.total} flags against`),
    h('div', { class: 'actions' }, lift),
    h('h2', {}, 'Bans'),
    record.bans.length
      ? h('ul', {}, ...record.bans.map((b) => h('li', {}, `${b.scope}: ${b.reason ?? ''}${b.until ? ` until ${new Date(b.until).toLocaleString()}` : ''}${b.active ? '' : ' (over)'}`)))
      : h('p', {}, 'None.'),
    h('h2', {}, 'Decisions'),
    h('ul', {}, ...record.decisions.map((d) => h('li', {}, `${new Date(d.at).toLocaleString()}: ${d.action}${d.reason ? ` (${d.reason})` : ''}`))),
    h('h2', {}, 'Recent comments'),
    h('ul', { class: 'items' }, ...record.comments.map((item) => renderItem(item, inPlaceActions(siteId, () => void recordView(siteId, userId))))),
  );
}

/** The service's pre-moderation modes; the type keeps this list to what the settings accept. */
const PREMODERATION_MODES = ['none', 'first-comment', 'all'] as const satisfies readonly SiteSettings['premoderation'][];

const SETTINGS_FIELDS: { key: keyof SiteSettings; label: string; kind: 'words' | 'number' | 'bool' | 'premod' }[] = [
  { key: 'premoderation', label: 'Pre-moderation', kind: 'premod' },
  { key: 'bannedWords', label: 'Banned words (one per line)', kind: 'words' },
  { key: 'suspectWords', label: 'Suspect words (one per line)', kind: 'words' },
  { key: 'maxLinks', label: 'Most links in a comment', kind: 'number' },
  { key: 'flagThreshold', label: 'Flags that send a comment back to the queue', kind: 'number' },
  { key: 'editWindowSeconds', label: 'Edit window (seconds)', kind: 'number' },
  { key: 'allowGuests', label: 'Allow guests to comment', kind: 'bool' },
];

/** Settings, moderators and the embed snippet of one site. Admins change them; moderators read them. */
export async function settingsView(siteId: string, me: User): Promise<void> {
  const site = await api<Site>(`/sites/${siteId}`);
  const admin = me.role === 'admin';
  const controls = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
  const form = h('form', { class: 'stack', 'aria-label': 'Settings' });
  for (const f of SETTINGS_FIELDS) {
    const value = site.settings[f.key];
    let control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
    if (f.kind === 'premod') {
      control = h('select', { name: f.key }, ...PREMODERATION_MODES.map((v) => h('option', { value: v }, v)));
      control.value = String(value);
    } else if (f.kind === 'words') {
      control = h('textarea', { name: f.key, rows: 3 });
      control.value = (value as string[]).join('\n');
    } else if (f.kind === 'bool') {
      control = h('input', { type: 'checkbox', name: f.key });
      control.checked = Boolean(value);
    } else {
      control = h('input', { type: 'number', name: f.key, min: '0' });
      control.value = String(value);
    }
    control.toggleAttribute('disabled', !admin);
    controls.set(f.key, control);
    form.append(labelled(f.label, control, f.kind === 'bool'));
  }
  form.append(h('p', {}, `Origins: ${site.origins.join(', ')}`));
  if (admin) form.append(h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save settings')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const patch: Record<string, unknown> = {};
    for (const f of SETTINGS_FIELDS) {
      const control = controls.get(f.key);
      if (!control) continue;
      if (f.kind === 'words') patch[f.key] = control.value.split('\n').map((w) => w.trim()).filter(Boolean);
      else if (f.kind === 'number') patch[f.key] = Number(control.value);
      else if (f.kind === 'bool') patch[f.key] = (control as HTMLInputElement).checked;
      else patch[f.key] = control.value;
    }
    void api(`/sites/${siteId}/settings`, { method: 'PATCH', body: patch })
      .then(() => announce('Settings saved.'))
      .catch((err: unknown) => announce(err instanceof Error ? err.message : 'Saving failed.'));
  });

  const embed = await api<EmbedSnippet>(`/sites/${siteId}/embed`);
  const snippet = h('pre', { id: 'embed-snippet', tabindex: '0', 'aria-label': 'Embed snippet' }, embed.html);
  const copy = button('Copy snippet', () => {
    void navigator.clipboard
      .writeText(embed.html)
      .then(() => announce('Snippet copied.'))
      .catch(() => {
        const range = document.createRange();
        range.selectNodeContents(snippet);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
        announce('Snippet selected; press Ctrl+C to copy.');
      });
  });

  const moderators = h('ul', { 'aria-label': 'Moderators' });
  const loadModerators = async (): Promise<void> => {
    const list = await api<UserList>(`/sites/${siteId}/moderators`);
    moderators.replaceChildren(
      ...list.items.map((u) =>
        h(
          'li',
          {},
          `${u.displayName}${u.email ? ` <${u.email}>` : ''} `,
          admin ? button(`Remove ${u.displayName}`, () => void api(`/sites/${siteId}/moderators/${u.id}`, { method: 'DELETE' }).then(loadModerators)) : null,
        ),
      ),
    );
    if (!list.items.length) moderators.append(h('li', {}, 'No moderators yet (admins moderate every site).'));
  };
  await loadModerators();
  const people = h('ul', { 'aria-label': 'People found' });
  const finder = h('input', { type: 'search', name: 'person' });
  const addForm = h('form', { class: 'toolbar', role: 'search' }, labelled('Find a person by email or name', finder), h('button', { type: 'submit' }, 'Find'));
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void api<UserList>(`/people?q=${q(finder.value.trim())}`).then((found) => {
      people.replaceChildren(
        ...found.items.map((u) =>
          h('li', {}, `${u.displayName}${u.email ? ` <${u.email}>` : ''} `, button(`Make ${u.displayName} a moderator`, () => {
            void api(`/sites/${siteId}/moderators/${u.id}`, { method: 'PUT' }).then(() => {
              announce(`${u.displayName} now moderates this site.`);
              void loadModerators();
            });
          })),
        ),
      );
      if (!found.items.length) people.append(h('li', {}, 'Nobody found.'));
    });
  });

  show(
    `Settings: ${site.name}`,
    admin ? null : h('p', {}, 'Only an admin can change these settings.'),
    form,
    h('h2', {}, 'Moderators'),
    moderators,
    admin ? addForm : null,
    admin ? people : null,
    h('h2', {}, 'Embed snippet'),
    h('p', {}, 'Paste this where comments should appear; replace ARTICLE_ID with the page\'s own key.'),
    snippet,
    copy,
  );
}
