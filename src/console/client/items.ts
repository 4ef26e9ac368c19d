import { api, ApiError, type Item } from './api';
import { markedBody } from './marks';
import { age, announce, ask, button, h } from './ui';

/** What the queue (or any list of comments) asks of a rendered item's buttons. */
export interface ItemActions {
  approve(item: Item): void;
  reject(item: Item): void;
  ban(item: Item): void;
  feature?(item: Item): void;
  select?(item: Item): void;
  siteHref: string;
}

function reasonText(reason: Item['reasons'][number]): string {
  return reason.detail ? `${reason.code}: ${reason.detail}` : reason.code;
}

function flagCounts(item: Item): string[] {
  const counts = new Map<string, number>();
  for (const flag of item.flags ?? []) counts.set(flag.reason, (counts.get(flag.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${reason} × ${n}`);
}

/** One comment as a moderator sees it: marked words, every reason, flags, parent, article, author's record. */
export function renderItem(item: Item, actions: ItemActions, selected = false): HTMLLIElement {
  const record = item.authorRecord;
  const authorLink = item.author.id
    ? h('a', { href: `${actions.siteHref}/user/${item.author.id}` }, item.author.displayName)
    : h('span', {}, `${item.author.displayName} (guest)`);
  const recordText = record
    ? `${age(record.accountCreatedAt)} · ${record.counts.approved ?? 0} approved · ${record.counts.rejected ?? 0} rejected` +
      (record.bannedHere ? ' · banned here' : '') +
      (record.bannedEverywhere ? ' · banned everywhere' : '')
    : '';
  const flags = flagCounts(item);
  const li = h(
    'li',
    { class: `item${selected ? ' selected' : ''}`, tabindex: '-1', 'data-id': item.id, 'aria-label': `Comment by ${item.author.displayName}` },
    h(
      'div',
      { class: 'meta' },
      authorLink,
      recordText ? h('span', { class: 'record' }, recordText) : null,
      h('a', { href: `${actions.siteHref}/search?article=${encodeURIComponent(item.articleId)}` }, `article ${item.articleId}`),
      h('time', { datetime: item.createdAt }, new Date(item.createdAt).toLocaleString()),
      h('span', { class: 'status' }, item.status),
      item.featured ? h('span', { class: 'featured' }, '★ featured') : null,
    ),
    item.parent
      ? h('blockquote', { class: 'parent', 'aria-label': 'In reply to' }, h('strong', {}, `${item.parent.author}: `), item.parent.body.slice(0, 300))
      : null,
  );
  const body = h('p', { class: 'body' });
  body.append(markedBody(item.body, item.reasons));
  li.append(body);
  if (item.reasons.length) li.append(h('ul', { class: 'reasons', 'aria-label': 'Reasons' }, ...item.reasons.map((r) => h('li', {}, reasonText(r)))));
  if (flags.length) li.append(h('ul', { class: 'flags', 'aria-label': `${item.flagCount} flags` }, ...flags.map((f) => h('li', {}, f))));
  const row = h('div', { class: 'actions' });
  if (actions.select) {
    const box = h('input', { type: 'checkbox', 'aria-label': 'Select' });
    box.checked = selected;
    box.addEventListener('change', () => actions.select?.(item));
    row.append(h('label', { class: 'inline' }, box, 'Select'));
  }
  if (item.status !== 'approved') row.append(button('Approve', () => actions.approve(item), { class: 'primary' }));
  if (item.status !== 'rejected') row.append(button('Reject', () => actions.reject(item), { class: 'danger' }));
  if (item.author.id) row.append(button('Ban author', () => actions.ban(item)));
  if (actions.feature && item.status === 'approved') row.append(button(item.featured ? 'Unfeature' : 'Feature', () => actions.feature?.(item)));
  row.append(h('a', { href: `${actions.siteHref}/conversation/${item.id}` }, 'Conversation'));
  li.append(row);
  return li;
}

export const REJECT_REASONS: [string, string][] = [
  ['abuse', 'Abuse or insults'],
  ['spam', 'Spam'],
  ['off-topic', 'Off topic'],
  ['rules', 'Breaks the house rules'],
];

/**
 * The body of a decision on the revision the moderator saw; a rejection asks its reason first.
 * Null when the moderator cancels.
 */
export async function decisionBody(item: Item, decision: 'approve' | 'reject'): Promise<Record<string, string | number> | null> {
  const body: Record<string, string | number> = { revision: item.revision };
  if (decision === 'approve') return body;
  const answer = await ask('Reject this comment', [{ name: 'reason', label: 'Reason', options: REJECT_REASONS }], 'Reject');
  return answer ? { ...body, reason: answer.reason } : null;
}

export const BAN_DURATIONS: [string, string][] = [
  ['1', '1 day'],
  ['7', '7 days'],
  ['30', '30 days'],
  ['0', 'Until lifted'],
];

/** Bans an item's author on the site, after asking the reason and the duration. */
export async function banAuthor(siteId: string, userId: string, name: string): Promise<boolean> {
  const answer = await ask(`Ban ${name} on this site`, [
    { name: 'reason', label: 'Reason', value: 'Repeated abuse' },
    { name: 'days', label: 'Duration', options: BAN_DURATIONS },
  ], 'Ban');
  if (!answer) return false;
  const days = Number(answer.days);
  const until = days > 0 ? new Date(Date.now() + days * 86_400_000).toISOString() : undefined;
  try {
    await api(`/sites/${siteId}/bans`, { method: 'POST', body: { userId, reason: answer.reason || 'No reason given', ...(until ? { until } : {}) } });
    announce(`${name} is banned on this site${until ? ` for ${days} day${days === 1 ? '' : 's'}` : ''}.`);
    return true;
  } catch (err) {
    announce(err instanceof ApiError ? err.message : 'The ban failed.');
    return false;
  }
}

/** Features or unfeatures an approved comment. */
export async function toggleFeatured(item: Item): Promise<Item | null> {
  try {
    const updated = await api<Item>(`/comments/${item.id}/featured`, { method: item.featured ? 'DELETE' : 'PUT' });
    announce(updated.featured ? 'Featured.' : 'No longer featured.');
    return updated;
  } catch (err) {
    announce(err instanceof ApiError ? err.message : 'That did not work.');
    return null;
  }
}
