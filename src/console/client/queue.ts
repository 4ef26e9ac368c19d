import { api, ApiError, q, type BulkResult, type Item, type QueuePage, type QueueStatus, type QueueTicket, type WatchList } from './api';
import { banAuthor, decisionBody, REJECT_REASONS, renderItem, toggleFeatured } from './items';
import { announce, ask, button, h, labelled, show } from './ui';

export const QUEUE_STATUSES = ['pending', 'flagged', 'rejected'] as const satisfies readonly QueueStatus[];
export type { QueueStatus };

/** Without server-sent events, new items are looked for this often (ms) once the end of the queue is on screen. */
export const POLL_MS = 3000;
/** A stream that has not said `ready` by then (a proxy buffering it) gives way to polling. */
const STREAM_WAIT_MS = 5000;
/** Items loaded per page; the next page is fetched when fewer than LOW_WATER remain below the cursor. */
const PAGE = 50;
const LOW_WATER = 10;

interface Decided {
  id: string;
  revision: number;
  label: string;
}

/** One site's queue: a list, a current item, a selection, an undo stack, and a poller. */
export class QueueView {
  private items: Item[] = [];
  private index = 0;
  private readonly selected = new Set<string>();
  private readonly undo: Decided[] = [];
  private nextCursor: string | null = null;
  private endCursor: string | null = null;
  private loading = false;
  private timer: number | undefined;
  private list = h('ul', { class: 'items', 'aria-label': 'Queue' });
  private count = h('p', { class: 'count' });
  private watched: string[] = [];
  private stopped = false;
  private source: EventSource | null = null;
  private streamFailures = 0;
  private pullAgain = false;

  constructor(
    private readonly siteId: string,
    private readonly status: QueueStatus,
    private readonly watchOnly: boolean,
  ) {}

  private get href(): string {
    return `#/site/${this.siteId}`;
  }

  async open(): Promise<void> {
    const tabs = h(
      'nav',
      { class: 'tabs', 'aria-label': 'Queues' },
      ...QUEUE_STATUSES.map((s) =>
        h('a', { href: `${this.href}/queue/${s}`, 'aria-current': s === this.status && !this.watchOnly ? 'page' : undefined }, s),
      ),
      h('a', { href: `${this.href}/queue/${this.status}/watch`, 'aria-current': this.watchOnly ? 'page' : undefined }, 'watch list'),
    );
    const toolbar = h(
      'div',
      { class: 'toolbar' },
      button('Approve selected (A)', () => void this.bulk('approve')),
      button('Reject selected (R)', () => void this.bulk('reject')),
      button('Undo (u)', () => void this.undoLast()),
      button('Keys (?)', () => void showKeys()),
    );
    const root = show(`${this.watchOnly ? 'Watch list' : 'Queue'}: ${this.status}`, tabs, toolbar);
    if (this.watchOnly) root.append(await this.watchEditor());
    root.append(this.count, this.list);
    if (this.watchOnly && this.watched.length === 0) {
      this.count.textContent = 'Add articles to your watch list to see their queue here.';
      return;
    }
    await this.loadMore();
    await this.listen();
  }

  close(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
    this.source?.close();
  }

  /**
   * New items: pushed by the queue's event stream (a short-lived ticket in its URL, since an EventSource
   * sends no Authorization header), each event pulling what follows the end already loaded. Polling
   * every POLL_MS when the stream cannot be had.
   */
  private async listen(): Promise<void> {
    if (this.stopped) return;
    if (typeof EventSource === 'undefined' || this.streamFailures >= 3) return this.schedulePoll();
    let ticket: string;
    try {
      ticket = (await api<QueueTicket>(`/sites/${this.siteId}/moderation/events/ticket`, { method: 'POST', body: {} })).ticket;
    } catch {
      return this.schedulePoll();
    }
    if (this.stopped) return;
    const source = new EventSource(`/api/v1/sites/${this.siteId}/moderation/events?ticket=${q(ticket)}`);
    this.source = source;
    const giveUp = (): void => {
      source.close();
      this.source = null;
      this.streamFailures += 1;
      void this.listen();
    };
    let waiting = window.setTimeout(giveUp, STREAM_WAIT_MS);
    source.addEventListener('ready', () => {
      window.clearTimeout(waiting);
      this.streamFailures = 0;
      // (Re)connected: whatever arrived meanwhile.
      this.pull();
    });
    source.addEventListener('queue', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { queue: string; articleId: string | null };
      const mine = data.queue === (this.status === 'rejected' ? 'rejected' : 'pending');
      if (mine && (!this.watchOnly || this.watched.includes(data.articleId ?? ''))) this.pull();
    });
    source.addEventListener('error', () => {
      // A dropped stream reconnects by itself; a refused one (its ticket expired) needs a new ticket.
      if (source.readyState === EventSource.CLOSED) {
        window.clearTimeout(waiting);
        giveUp();
      } else {
        window.clearTimeout(waiting);
        waiting = window.setTimeout(giveUp, STREAM_WAIT_MS);
      }
    });
  }

  /** Reads what follows the loaded end; an event during a read asks for one more read after it. */
  private pull(): void {
    if (this.loading) {
      this.pullAgain = true;
      return;
    }
    void this.loadMore(true);
  }

  private async watchEditor(): Promise<HTMLElement> {
    this.watched = (await api<WatchList>(`/sites/${this.siteId}/moderation/watchlist`)).articleIds;
    const input = h('input', { type: 'text', name: 'articles', placeholder: 'article-one, article-two' });
    input.value = this.watched.join(', ');
    const form = h('form', { class: 'toolbar' }, labelled('Watched articles (comma-separated ids)', input), h('button', { type: 'submit' }, 'Save watch list'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const articleIds = input.value.split(',').map((s) => s.trim()).filter(Boolean);
      void api<WatchList>(`/sites/${this.siteId}/moderation/watchlist`, { method: 'PUT', body: { articleIds } })
        .then(() => {
          announce('Watch list saved.');
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        })
        .catch((err: unknown) => announce(err instanceof ApiError ? err.message : 'Saving failed.'));
    });
    return form;
  }

  private queuePath(cursor: string | null): string {
    const params = [`status=${this.status}`, `limit=${PAGE}`];
    if (cursor) params.push(`cursor=${q(cursor)}`);
    if (this.watchOnly) params.push(`articles=${q(this.watched.join(','))}`);
    return `/sites/${this.siteId}/moderation/queue?${params.join('&')}`;
  }

  /** The next page, or (at the end) whatever arrived after the last item: never the whole queue again. */
  private async loadMore(poll = false): Promise<void> {
    if (this.loading || this.stopped) return;
    if (poll && this.nextCursor) return;
    this.loading = true;
    try {
      const page = await api<QueuePage>(this.queuePath(poll ? this.endCursor : this.nextCursor ?? this.endCursor));
      const known = new Set(this.items.map((i) => i.id));
      const fresh = page.items.filter((i) => !known.has(i.id));
      this.items.push(...fresh);
      this.nextCursor = page.nextCursor;
      if (page.endCursor) this.endCursor = page.endCursor;
      for (const item of fresh) this.list.append(this.render(item));
      if (poll && fresh.length) announce(`${fresh.length} new item${fresh.length === 1 ? '' : 's'} in the queue.`);
      this.refresh(!poll);
    } catch (err) {
      this.count.textContent = err instanceof ApiError ? err.message : 'The queue could not be loaded.';
      this.count.classList.add('error');
    } finally {
      this.loading = false;
      if (this.pullAgain) {
        this.pullAgain = false;
        this.pull();
      }
    }
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = window.setTimeout(() => {
      void this.loadMore(true).finally(() => this.schedulePoll());
    }, POLL_MS);
  }

  private render(item: Item): HTMLLIElement {
    return renderItem(item, {
      siteHref: this.href,
      approve: (i) => void this.decide(i, 'approve'),
      reject: (i) => void this.decide(i, 'reject'),
      ban: (i) => void this.ban(i),
      feature: (i) => void this.feature(i),
      select: (i) => this.toggle(i),
    }, this.selected.has(item.id));
  }

  private element(id: string): HTMLElement | null {
    return this.list.querySelector(`[data-id="${id}"]`);
  }

  /** Marks the current item, focuses it (when asked) and updates the count. */
  private refresh(focus = true): void {
    if (this.index >= this.items.length) this.index = Math.max(0, this.items.length - 1);
    this.count.textContent = this.items.length
      ? `${this.items.length} loaded${this.nextCursor ? ', more below' : ''}; ${this.selected.size} selected.`
      : 'Nothing waiting. New items appear here by themselves.';
    this.list.querySelectorAll('.current').forEach((el) => el.classList.remove('current'));
    const current = this.items[this.index];
    const el = current ? this.element(current.id) : null;
    if (el) {
      el.classList.add('current');
      if (focus && !document.querySelector('dialog[open]')) el.focus();
    }
    if (this.nextCursor && this.items.length - this.index < LOW_WATER) void this.loadMore();
  }

  move(by: number): void {
    if (!this.items.length) return;
    this.index = Math.min(this.items.length - 1, Math.max(0, this.index + by));
    this.refresh();
  }

  current(): Item | undefined {
    return this.items[this.index];
  }

  private removeItem(id: string): void {
    const at = this.items.findIndex((i) => i.id === id);
    if (at === -1) return;
    this.items.splice(at, 1);
    this.selected.delete(id);
    this.element(id)?.remove();
    if (at < this.index) this.index -= 1;
    this.refresh();
  }

  private conflict(item: Item): void {
    announce(`Decided by another moderator: the comment by ${item.author.displayName} has left the queue.`);
    const el = this.element(item.id);
    if (el) {
      el.classList.add('gone');
      el.prepend(h('p', { class: 'note' }, 'Decided by another moderator'));
    }
    window.setTimeout(() => this.removeItem(item.id), 1500);
    this.items = this.items.filter((i) => i.id !== item.id);
    this.refresh();
  }

  async decide(item: Item | undefined, decision: 'approve' | 'reject'): Promise<void> {
    if (!item) return;
    const body = await decisionBody(item, decision);
    if (!body) return;
    try {
      const updated = await api<Item>(`/comments/${item.id}/${decision}`, { method: 'POST', body });
      const label = `${decision === 'approve' ? 'Approved' : 'Rejected'} the comment by ${item.author.displayName}`;
      this.undo.push({ id: item.id, revision: updated.revision, label });
      announce(`${label}. Press u to undo.`);
      this.removeItem(item.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) this.conflict(item);
      else announce(err instanceof ApiError ? err.message : 'That did not work; try again.');
    }
  }

  async bulk(decision: 'approve' | 'reject'): Promise<void> {
    const ids = [...this.selected];
    if (!ids.length) {
      announce('Select items first (x).');
      return;
    }
    if (decision === 'reject' && !(await ask(`Reject ${ids.length} comments`, [{ name: 'confirm', label: 'Reason', options: REJECT_REASONS }], 'Reject all'))) return;
    try {
      const result = await api<BulkResult>(`/sites/${this.siteId}/moderation/bulk`, { method: 'POST', body: { action: decision, ids } });
      const skipped = ids.length - result.updated;
      announce(`${decision === 'approve' ? 'Approved' : 'Rejected'} ${result.updated}${skipped ? `; ${skipped} decided by another moderator` : ''}.`);
      for (const id of ids) this.removeItem(id);
    } catch (err) {
      announce(err instanceof ApiError ? err.message : 'That did not work; try again.');
    }
  }

  async undoLast(): Promise<void> {
    const last = this.undo.pop();
    if (!last) {
      announce('Nothing to undo.');
      return;
    }
    try {
      const item = await api<Item>(`/comments/${last.id}/undo`, { method: 'POST', body: { revision: last.revision } });
      // Undo restores what the decision changed: a taken-down comment is published again, not queued.
      const queued = item.status === 'pending' ? this.status === 'pending' || (this.status === 'flagged' && item.flagged) : item.status === this.status;
      announce(`Undone: ${last.label}. ${queued ? 'It is back in the queue.' : `It is ${item.status} again.`}`);
      if (!queued || this.items.some((i) => i.id === item.id)) return;
      const restored = { ...item, flags: [], parent: null, authorRecord: null };
      this.items.splice(this.index, 0, restored);
      const before = this.list.children[this.index] ?? null;
      this.list.insertBefore(this.render(restored), before);
      this.refresh();
    } catch (err) {
      announce(err instanceof ApiError && err.status === 409 ? 'Too late to undo: the comment has changed since.' : 'Undo failed.');
    }
  }

  toggle(item: Item | undefined): void {
    if (!item) return;
    if (this.selected.has(item.id)) this.selected.delete(item.id);
    else this.selected.add(item.id);
    const el = this.element(item.id);
    el?.classList.toggle('selected', this.selected.has(item.id));
    const box = el?.querySelector('input[type=checkbox]') as HTMLInputElement | null;
    if (box) box.checked = this.selected.has(item.id);
    announce(`${this.selected.size} selected.`);
    this.refresh(false);
  }

  async ban(item: Item | undefined): Promise<void> {
    if (!item?.author.id) return;
    await banAuthor(this.siteId, item.author.id, item.author.displayName);
  }

  private async feature(item: Item): Promise<void> {
    const updated = await toggleFeatured(item);
    if (!updated) return;
    const at = this.items.findIndex((i) => i.id === item.id);
    if (at !== -1) {
      this.items[at] = { ...this.items[at], featured: updated.featured };
      this.element(item.id)?.replaceWith(this.render(this.items[at]));
      this.refresh(false);
    }
  }

  /** The queue's keys; true when the key was handled. */
  key(event: KeyboardEvent): boolean {
    switch (event.key) {
      case 'j': this.move(1); return true;
      case 'k': this.move(-1); return true;
      case 'a': void this.decide(this.current(), 'approve'); return true;
      case 'r': void this.decide(this.current(), 'reject'); return true;
      case 'b': void this.ban(this.current()); return true;
      case 'x': this.toggle(this.current()); return true;
      case 'A': void this.bulk('approve'); return true;
      case 'R': void this.bulk('reject'); return true;
      case 'u': void this.undoLast(); return true;
      default: return false;
    }
  }
}

export const KEYS: [string, string][] = [
  ['j / k', 'next / previous item'],
  ['a', 'approve'],
  ['r', 'reject (asks the reason)'],
  ['b', 'ban the author on this site (asks the duration)'],
  ['x', 'select or unselect'],
  ['Shift+A / Shift+R', 'approve / reject the selection'],
  ['u', 'undo your last decision'],
  ['?', 'show these keys'],
];

export function showKeys(): void {
  const dialog = h(
    'dialog',
    { 'aria-label': 'Keyboard shortcuts' },
    h('h2', {}, 'Keyboard shortcuts'),
    h('table', {}, ...KEYS.map(([k, d]) => h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, k)), h('td', {}, d)))),
    h('form', { method: 'dialog' }, h('button', { type: 'submit' }, 'Close')),
  );
  const before = document.activeElement as HTMLElement | null;
  dialog.addEventListener('close', () => {
    dialog.remove();
    before?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
}
