import { ApiError, type ApiClient, type FlagReason, type GuestDetails, type ReturnTarget, type Session, type SortOrder, type ThreadComment } from './api';
import { adoptStyles, field, h, uid } from './dom';
import { Drafts } from './drafts';
import { featuredTabs } from './featured';
import { guestErrorsOf, guestForm, safeWebsite, saveGuest, type GuestForm } from './guest';
import { connectLive, type LiveHandle } from './live';
import type { SessionStore } from './session';
import { WIDGET_CSS } from './styles';
import { resolveScheme } from './theme';
import { relativeTime } from './time';
import { DEFAULT_EDIT_WINDOW_SECONDS, FLAG_REASON_LABELS, MAX_COMMENT_LENGTH } from '../../shared/limits';

/** Replies deeper than this are listed without more indentation, so threads stay readable on phones. */
const INDENT_CAP = 4;
/** The service refuses longer comments; the counter shows from COUNTER_FROM characters left. */
const COUNTER_FROM = 500;
/** Replies shown under a comment before "Show N more replies". */
const REPLY_PREVIEW = 3;
/** Pages loaded at most to reach a linked comment. */
const MAX_PAGES_TO_FIND = 20;
const PASSWORD_RULES = 'At least 10 characters. Not a common password, and not your email address or display name.';
const COMMENT_LINK = /^#comment-([a-f0-9]{24})$/i;

type StatusKind = 'info' | 'error' | 'success';

interface Rendered {
  comment: ThreadComment;
  item: HTMLLIElement;
  article: HTMLElement;
  replies: HTMLOListElement;
  /** Edit button and its time-left label, while the edit window lasts. */
  edit?: { button: HTMLButtonElement; label: HTMLElement; until: number };
  /** Sets the reader's vote (no toggle), when they may vote on this comment. */
  vote?: (value: 1 | -1) => void;
}

/** Where an action happens, so sign-in and messages show there. */
type Place = { kind: 'compose' } | { kind: 'comment'; id: string };

interface FormParts {
  form: HTMLFormElement;
  textarea: HTMLTextAreaElement;
  note: HTMLElement;
  submitNow: () => void;
}

/** Two letters for an avatar: the first letters of the first two words. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.slice(0, 2).map((word) => Array.from(word)[0] ?? '');
  return (letters.join('') || '?').toUpperCase();
}

/** One of eight avatar colours, the same for a person on every page. */
export function colourIndex(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i += 1) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return hash % 8;
}

/** One comment thread mounted into a host element's shadow root. */
export class CommentWidget {
  private readonly root: ShadowRoot;
  private readonly heading = h('h2', {}, 'Comments');
  private readonly status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly account = h('div', { class: 'account' });
  private readonly composeSlot = h('div', { class: 'compose' });
  private readonly empty = h('p', { class: 'empty', hidden: true }, 'Be the first to comment.');
  private readonly thread = h('ol', { class: 'thread', 'aria-label': 'Comments' });
  private readonly moreButton = h('button', { type: 'button', class: 'more', hidden: true }, 'Load more comments');
  private readonly sortSelect = h('select', {});
  private readonly rendered = new Map<string, Rendered>();
  private live?: LiveHandle;
  private readonly myVotes = new Map<string, 1 | -1>();
  private readonly drafts: Drafts;
  private staff = new Set<string>();
  private sort: SortOrder = 'oldest';
  private cursor: string | null = null;
  private total = 0;
  private loadGeneration = 0;
  private loading: Promise<void> = Promise.resolve();
  /** Until the first page arrives with the site's own edit window. */
  private editWindowSeconds = DEFAULT_EDIT_WINDOW_SECONDS;
  /** Whether a signed-out reader may post as a guest; the thread page says. */
  private allowGuests = false;
  private lastNote: HTMLElement | null = null;
  /** What the reader was doing when sign-in interrupted them; done once they are signed in. */
  private resume: (() => void) | null = null;
  private composeParts: FormParts | null = null;
  private composeAuth = h('div', {});

  constructor(
    private readonly host: HTMLElement,
    private readonly api: ApiClient,
    private readonly sessions: SessionStore,
    private readonly siteId: string,
    private readonly articleId: string,
  ) {
    this.root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    adoptStyles(this.root, WIDGET_CSS);
    this.drafts = new Drafts(siteId, articleId);
    this.applyTheme();
    new MutationObserver(() => this.applyTheme()).observe(host, { attributes: true, attributeFilter: ['data-theme'] });
    for (const [value, label] of [
      ['oldest', 'Oldest first'],
      ['newest', 'Newest first'],
      ['top', 'Top rated'],
    ]) {
      this.sortSelect.append(h('option', { value }, label));
    }
    this.sortSelect.addEventListener('change', () => {
      this.sort = this.sortSelect.value as SortOrder;
      void this.load(false);
    });
    this.moreButton.addEventListener('click', () => void this.load(true));
    // Live threads: new comments are counted in a button above the thread, shown on the reader's click.
    const live = (this.live = connectLive({ base: api.base, siteId, articleId, isShown: (id) => this.rendered.has(id), reveal: () => this.load(false) }));
    const headingId = uid('heading');
    this.heading.id = headingId;
    this.root.append(
      h(
        'section',
        { class: 'tl', 'aria-labelledby': headingId },
        h('div', { class: 'bar' }, this.heading, field('Sort comments', this.sortSelect)),
        this.status,
        this.account,
        this.composeSlot,
        live.banner,
        featuredTabs(api.base, siteId, articleId, this.thread, this.moreButton),
        this.empty,
        this.thread,
        this.moreButton,
      ),
    );
    sessions.subscribe((reason) => {
      this.renderAccount();
      // An ended session keeps the thread as it is; the action that met it asks for sign-in in place.
      if (reason === 'ended') return;
      const signedIn = Boolean(this.sessions.session);
      void this.load(false).then(() => {
        // What the reader was doing resumes only once they are signed in (not on a sign-out's reload).
        if (!signedIn || !this.sessions.session) return;
        const resume = this.resume;
        this.resume = null;
        resume?.();
      });
    });
    this.renderAccount();
    void this.load(false).then(() => this.followLink());
    window.addEventListener('hashchange', () => this.followLink());
    setInterval(() => this.tick(), 15_000);
  }

  private applyTheme(): void {
    this.host.setAttribute('data-tl-scheme', resolveScheme(this.host));
  }

  /**
   * Announces a message in the live region. With `near`, it is also shown beside the comment or form
   * it concerns (the live region then stays for screen readers only).
   */
  say(message: string, kind: StatusKind = 'info', near?: HTMLElement | null): void {
    if (this.lastNote && this.lastNote !== near) this.lastNote.replaceChildren();
    this.status.dataset.kind = kind;
    this.status.textContent = message;
    this.status.classList.toggle('sr-only', Boolean(near));
    if (near) {
      near.dataset.kind = kind;
      near.textContent = message;
      this.lastNote = near;
    }
  }

  private noteFor(place: Place): HTMLElement | null {
    if (place.kind === 'compose') return this.composeParts?.note ?? null;
    return this.rendered.get(place.id)?.article.querySelector<HTMLElement>(':scope > .note') ?? null;
  }

  /**
   * Runs an action for its button. The button is marked busy (not disabled, so keyboard focus stays on
   * it) and ignores clicks meanwhile. A refused session asks for sign-in where the reader is, then does
   * `again` once they are back.
   */
  private async busy(button: HTMLButtonElement, place: Place, action: () => Promise<void>, again?: () => void): Promise<void> {
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        const ended = Boolean(this.sessions.session);
        this.sessions.end();
        this.askSignIn(
          place,
          ended ? 'Your session has ended. Please sign in again: nothing you wrote is lost.' : 'Sign in to continue.',
          ended ? 'error' : 'info',
          again,
        );
      } else {
        this.say(err instanceof Error ? err.message : 'Something went wrong. Try again.', 'error', this.noteFor(place));
      }
    } finally {
      button.removeAttribute('aria-disabled');
    }
  }

  // ----- reading -----

  private load(append: boolean): Promise<void> {
    const generation = ++this.loadGeneration;
    this.loading = this.loadPage(append, generation);
    return this.loading;
  }

  private async loadPage(append: boolean, generation: number): Promise<void> {
    if (!append) this.cursor = null;
    this.moreButton.setAttribute('aria-disabled', 'true');
    try {
      const page = await this.api.thread(this.siteId, this.articleId, this.sort, append ? this.cursor : null);
      if (generation !== this.loadGeneration) return;
      this.editWindowSeconds = page.editWindowSeconds;
      this.allowGuests = page.allowGuests === true;
      this.updateGuestForms();
      this.staff = new Set(page.staff ?? []);
      // A sign-in opened under a comment stays open across a reload of the thread.
      const carried = new Map<string, Element>();
      const focused = this.root.activeElement;
      if (!append) {
        for (const [id, rendered] of this.rendered) {
          const panel = rendered.article.querySelector(':scope > .slot > .signin');
          if (panel) carried.set(id, panel);
        }
        this.thread.replaceChildren();
        this.rendered.clear();
        this.myVotes.clear();
      }
      for (const comment of page.comments) {
        // A comment the reader posted before this page arrived is placed where the page puts it, once.
        this.rendered.get(comment.id)?.item.remove();
        this.thread.append(this.renderTree(comment).item);
      }
      for (const [id, panel] of carried) this.rendered.get(id)?.article.querySelector(':scope > .slot')?.replaceChildren(panel);
      if (focused instanceof HTMLElement && focused !== this.root.activeElement && focused.isConnected) focused.focus();
      this.cursor = page.nextCursor;
      this.total = page.total;
      this.updateHeading();
      this.moreButton.hidden = !page.nextCursor;
    } catch (err) {
      if (generation === this.loadGeneration) this.say(err instanceof Error ? err.message : 'Comments could not be loaded.', 'error');
    } finally {
      this.moreButton.removeAttribute('aria-disabled');
    }
  }

  private updateHeading(): void {
    this.heading.textContent = `${this.total} comment${this.total === 1 ? '' : 's'}`;
    this.empty.hidden = this.thread.childElementCount > 0;
  }

  /** Keeps relative times and edit windows current; Edit goes when its window closes. */
  private tick(): void {
    for (const time of Array.from(this.root.querySelectorAll('time'))) time.textContent = relativeTime(time.dateTime);
    for (const rendered of this.rendered.values()) this.updateEditWindow(rendered);
  }

  private updateEditWindow(rendered: Rendered): void {
    const edit = rendered.edit;
    if (!edit) return;
    const left = edit.until - Date.now();
    if (left > 0) {
      edit.label.textContent = left >= 60_000 ? `${Math.ceil(left / 60_000)} min left to edit` : 'Less than a minute left to edit';
      return;
    }
    edit.button.remove();
    edit.label.remove();
    rendered.edit = undefined;
    const slot = rendered.article.querySelector('.slot');
    if (slot?.querySelector('form[data-kind="edit"]')) {
      slot.replaceChildren();
      this.say('The time to edit this comment has passed. Your changes were not saved.', 'info', this.noteFor({ kind: 'comment', id: rendered.comment.id }));
    }
  }

  private isMine(comment: ThreadComment): boolean {
    const user = this.sessions.session?.user;
    return Boolean(user && comment.author.id && comment.author.id === user.id);
  }

  private renderTree(comment: ThreadComment): Rendered {
    const replies = h('ol', { class: comment.depth < INDENT_CAP ? 'replies indent' : 'replies' });
    const item = h('li', { class: 'comment' });
    const rendered: Rendered = { comment, item, article: h('article'), replies };
    this.rendered.set(comment.id, rendered);
    this.live?.shown(comment.id);
    if (comment.viewerVote === 1 || comment.viewerVote === -1) this.myVotes.set(comment.id, comment.viewerVote);
    this.fillComment(rendered);
    item.append(rendered.article, replies);
    const children = comment.replies ?? [];
    children.forEach((reply, index) => {
      const child = this.renderTree(reply).item;
      if (index >= REPLY_PREVIEW && children.length > REPLY_PREVIEW + 1) child.hidden = true;
      replies.append(child);
    });
    if (children.length > REPLY_PREVIEW + 1) {
      const hidden = children.slice(REPLY_PREVIEW);
      const count = hidden.reduce((sum, reply) => sum + 1 + countReplies(reply), 0);
      const more = this.button(`Show ${count} more ${count === 1 ? 'reply' : 'replies'}`, undefined, 'link');
      const moreItem = h('li', { class: 'show-more' }, more);
      more.addEventListener('click', () => {
        for (const child of Array.from(replies.children)) (child as HTMLElement).hidden = false;
        const next = hidden[0] ? this.rendered.get(hidden[0].id) : undefined;
        moreItem.remove();
        next?.article.focus();
      });
      replies.append(moreItem);
    }
    return rendered;
  }

  /** (Re)draws one comment's own block; its replies are left alone. */
  private fillComment(rendered: Rendered): void {
    const { comment } = rendered;
    const deleted = comment.status === 'deleted';
    const article = h('article', {
      id: `tl-comment-${comment.id}`,
      tabindex: -1,
      'aria-label': `Comment by ${deleted ? 'a deleted account' : comment.author.displayName}`,
      'data-status': comment.status,
    });
    const time = h('time', { datetime: comment.createdAt, title: new Date(comment.createdAt).toLocaleString() });
    time.textContent = relativeTime(comment.createdAt);
    const permalink = h('a', { class: 'link', href: `#comment-${comment.id}`, 'aria-label': `Link to this comment, posted ${time.textContent}` }, time);
    const name = deleted ? 'Deleted' : comment.author.displayName;
    const parent = comment.parentId ? this.rendered.get(comment.parentId) : undefined;
    let replyingTo: HTMLElement | null = null;
    if (parent && comment.depth > INDENT_CAP) {
      replyingTo = h('a', { class: 'link replying', href: `#comment-${parent.comment.id}` }, `replying to ${parent.comment.author.displayName}`);
    }
    const mine = this.isMine(comment);
    const avatar = h('span', { class: `avatar c${colourIndex(comment.author.id ?? name)}`, 'aria-hidden': 'true' }, deleted ? '–' : initials(name));
    const meta = h(
      'div',
      { class: 'meta' },
      this.authorName(comment, name),
      !deleted && comment.author.guest ? h('span', { class: 'badge guest' }, 'Guest') : null,
      mine ? h('span', { class: 'badge you' }, 'You') : null,
      !deleted && comment.author.id && this.staff.has(comment.author.id) ? h('span', { class: 'badge staff' }, 'Staff') : null,
      permalink,
      comment.editedAt && !deleted ? h('span', { class: 'edited' }, '(edited)') : null,
      comment.status === 'pending' ? h('span', { class: 'badge' }, 'Awaiting moderation') : null,
      replyingTo,
    );
    article.append(h('div', { class: 'head' }, avatar, meta));
    if (deleted) {
      article.append(h('p', { class: 'tombstone' }, 'This comment was deleted.'));
    } else {
      const body = h('div', { class: 'body' });
      // The service renders and sanitizes `html`; it is the only API text ever inserted as markup.
      body.innerHTML = comment.html;
      if (comment.status === 'pending') {
        article.append(body, h('p', { class: 'hint' }, 'Only you can see this until a moderator approves it.'));
      } else {
        article.append(body);
      }
      article.append(this.renderActions(rendered));
    }
    article.append(h('div', { class: 'note' }), h('div', { class: 'slot' }));
    rendered.article.replaceWith(article);
    rendered.article = article;
  }

  /** A guest's name links to their website (http(s) only), marked as theirs and not endorsed by the site. */
  private authorName(comment: ThreadComment, name: string): HTMLElement {
    const website = comment.status !== 'deleted' && comment.author.guest ? safeWebsite(comment.author.website) : null;
    if (!website) return h('span', { class: 'author' }, name);
    return h('a', { class: 'author', href: website, rel: 'nofollow ugc noopener', target: '_blank' }, name);
  }

  private renderActions(rendered: Rendered): HTMLElement {
    const { comment } = rendered;
    const place: Place = { kind: 'comment', id: comment.id };
    const actions = h('div', { class: 'actions' });
    const score = h('span', { class: 'score', 'aria-label': `Score ${comment.score}` }, String(comment.score));
    const mine = this.isMine(comment);
    rendered.edit = undefined;
    rendered.vote = undefined;
    if (comment.status === 'approved' && !mine) {
      const upvote = this.button('▲', `Upvote comment by ${comment.author.displayName}`);
      const downvote = this.button('▼', `Downvote comment by ${comment.author.displayName}`);
      const setPressed = (): void => {
        const vote = this.myVotes.get(comment.id);
        upvote.setAttribute('aria-pressed', String(vote === 1));
        downvote.setAttribute('aria-pressed', String(vote === -1));
      };
      setPressed();
      const vote = (value: 1 | -1, button: HTMLButtonElement, toggle: boolean): Promise<void> => {
        if (!this.sessions.session) {
          this.askSignIn(place, 'Sign in to vote. You will come back to this comment.', 'info', () => this.again(comment.id, (again) => again.vote?.(value)));
          return Promise.resolve();
        }
        return this.busy(
          button,
          place,
          async () => {
            const current = this.myVotes.get(comment.id);
            if (!toggle && current === value) return;
            const next = current === value ? 0 : value;
            const result = await this.api.vote(comment.id, next);
            if (next === 0) this.myVotes.delete(comment.id);
            else this.myVotes.set(comment.id, next);
            comment.score = result.score;
            score.textContent = String(result.score);
            score.setAttribute('aria-label', `Score ${result.score}`);
            setPressed();
            this.say(next === 0 ? 'Vote removed.' : 'Vote recorded.', 'success', this.noteFor(place));
          },
          () => this.again(comment.id, (again) => again.vote?.(value)),
        );
      };
      upvote.addEventListener('click', () => void vote(1, upvote, true));
      downvote.addEventListener('click', () => void vote(-1, downvote, true));
      rendered.vote = (value) => {
        const button = value === 1 ? upvote : downvote;
        button.focus();
        void vote(value, button, false);
      };
      actions.append(upvote, score, downvote);
    } else {
      actions.append(score);
    }

    if (comment.status === 'approved') {
      const reply = this.button('Reply', `Reply to ${comment.author.displayName}`);
      reply.addEventListener('click', () => this.openReply(rendered));
      actions.append(reply);
    }
    if (comment.replies.length > 0) {
      const count = countReplies(comment);
      const toggle = this.button('Hide replies', undefined, 'link');
      toggle.setAttribute('aria-expanded', 'true');
      toggle.addEventListener('click', () => {
        const open = rendered.replies.hidden;
        rendered.replies.hidden = !open;
        toggle.setAttribute('aria-expanded', String(open));
        toggle.textContent = open ? 'Hide replies' : `Show ${count} ${count === 1 ? 'reply' : 'replies'}`;
      });
      actions.append(toggle);
    }
    if (mine) {
      const until = new Date(comment.createdAt).getTime() + this.editWindowSeconds * 1000;
      if (until > Date.now() && comment.status !== 'rejected') {
        const edit = this.button('Edit');
        edit.addEventListener('click', () => this.openEdit(rendered));
        const label = h('span', { class: 'window' });
        rendered.edit = { button: edit, label, until };
        actions.append(edit, label);
        this.updateEditWindow(rendered);
      }
      const remove = this.button('Delete');
      remove.addEventListener('click', () => this.openDelete(rendered));
      actions.append(remove);
    } else if (comment.status === 'approved') {
      const flag = this.button('Report', `Report comment by ${comment.author.displayName}`);
      flag.addEventListener('click', () => {
        if (this.sessions.session) this.openFlag(rendered);
        else this.askSignIn(place, 'Sign in to report this comment.', 'info', () => this.again(comment.id, (again) => this.openFlag(again)));
      });
      actions.append(flag);
    }
    return actions;
  }

  /** Finds a comment again after the thread was reloaded (by sign-in) and continues with it. */
  private again(id: string, next: (rendered: Rendered) => void): void {
    const rendered = this.rendered.get(id);
    if (rendered) next(rendered);
    else this.say('That comment is no longer available.', 'info');
  }

  private button(text: string, label?: string, className = 'link'): HTMLButtonElement {
    return h('button', { type: 'button', class: className, 'aria-label': label }, text);
  }

  /** Puts a small form under a comment, replacing any other open one there. */
  private openSlot(rendered: Rendered, content: HTMLElement, focus: HTMLElement | null): void {
    const slot = rendered.article.querySelector('.slot');
    if (!slot) return;
    slot.replaceChildren(content);
    focus?.focus();
  }

  private closeSlot(rendered: Rendered, returnFocus = true): void {
    rendered.article.querySelector('.slot')?.replaceChildren();
    if (returnFocus) rendered.article.focus();
  }

  private cancelButton(rendered: Rendered, onCancel?: () => void): HTMLButtonElement {
    const cancel = this.button('Cancel', undefined, '');
    cancel.addEventListener('click', () => {
      onCancel?.();
      this.closeSlot(rendered);
    });
    return cancel;
  }

  /** Scrolls to a comment, opening collapsed replies on the way, and highlights it briefly. */
  private reveal(rendered: Rendered): void {
    for (let node: HTMLElement | null = rendered.item; node && node !== this.thread; node = node.parentElement) {
      if (node.hidden) node.hidden = false;
    }
    rendered.article.scrollIntoView({ block: 'center' });
    rendered.article.classList.remove('fresh');
    void rendered.article.offsetWidth;
    rendered.article.classList.add('fresh');
    rendered.article.addEventListener('animationend', () => rendered.article.classList.remove('fresh'), { once: true });
    rendered.article.focus({ preventScroll: true });
  }

  /** `#comment-ID` in the page address: shows that comment, loading further pages to find it. */
  private async followLink(): Promise<void> {
    const id = COMMENT_LINK.exec(location.hash)?.[1];
    if (!id) return;
    await this.loading;
    for (let pages = 0; !this.rendered.has(id) && this.cursor && pages < MAX_PAGES_TO_FIND; pages += 1) await this.load(true);
    const rendered = this.rendered.get(id);
    if (rendered) this.reveal(rendered);
    else this.say('The linked comment is not available. It may have been removed.', 'info');
  }

  // ----- writing -----

  private commentForm(options: {
    label: string;
    submitText: string;
    draft: string;
    initial?: string;
    kind: string;
    place: Place;
    onSubmit: (body: string, guest?: GuestDetails) => Promise<void>;
    extra?: HTMLElement;
    /** Offers the guest fields to a signed-out reader where the site allows guests. */
    guest?: GuestForm;
  }): FormParts {
    const textarea = h('textarea', { required: true, rows: 4 });
    textarea.value = this.drafts.get(options.draft) || options.initial || '';
    const counter = h('span', { class: 'counter', id: uid('counter'), 'aria-live': 'polite' });
    const helpId = uid('help');
    textarea.setAttribute('aria-describedby', `${counter.id} ${helpId}`);
    const note = h('div', { class: 'note' });
    const preview = h('div', { class: 'preview', hidden: true, 'aria-label': 'Preview', role: 'region' });
    const previewButton = this.button('Preview', undefined, '');
    previewButton.setAttribute('aria-pressed', 'false');
    const help = h(
      'details',
      { class: 'help', id: helpId },
      h('summary', {}, 'Formatting help'),
      h(
        'ul',
        {},
        h('li', {}, h('code', {}, '**bold**'), ' and ', h('code', {}, '*italic*')),
        h('li', {}, h('code', {}, '> '), ' at the start of a line quotes it'),
        h('li', {}, h('code', {}, '`code`'), ' inline, or a line of ', h('code', {}, '```'), ' above and below a block'),
        h('li', {}, 'Links are made from web addresses, or ', h('code', {}, '[text](https://…)')),
      ),
    );
    const updateCounter = (): void => {
      const left = MAX_COMMENT_LENGTH - textarea.value.trim().length;
      counter.dataset.over = String(left < 0);
      counter.textContent =
        left < 0 ? `${-left} character${left === -1 ? '' : 's'} too many` : left <= COUNTER_FROM ? `${left} character${left === 1 ? '' : 's'} left` : '';
    };
    updateCounter();
    textarea.addEventListener('input', () => {
      this.drafts.set(options.draft, textarea.value);
      updateCounter();
      if (!preview.hidden) this.closePreview(preview, previewButton, textarea);
    });
    previewButton.addEventListener('click', () => {
      if (!preview.hidden) {
        this.closePreview(preview, previewButton, textarea);
        return;
      }
      const body = textarea.value.trim();
      if (!body) {
        this.say('Write something to preview first.', 'info', note);
        return;
      }
      void this.busy(previewButton, options.place, async () => {
        const { html } = await this.api.preview(this.siteId, body);
        const rendered = h('div', { class: 'body' });
        // Rendered and sanitized by the service, exactly as the posted comment will be.
        rendered.innerHTML = html;
        preview.replaceChildren(h('p', { class: 'hint' }, 'Preview: this is how your comment will look.'), rendered);
        preview.hidden = false;
        textarea.hidden = true;
        previewButton.setAttribute('aria-pressed', 'true');
        previewButton.textContent = 'Back to editing';
      });
    });
    const submit = h('button', { type: 'submit', class: 'primary' }, options.submitText);
    const form = h(
      'form',
      { 'data-kind': options.kind },
      options.guest?.box,
      field(options.label, textarea),
      preview,
      h('div', { class: 'row' }, submit, options.extra, previewButton, counter),
      help,
      note,
    );
    const submitNow = (): void => {
      const body = textarea.value.trim();
      if (!body) {
        this.say('Write something first.', 'error', note);
        textarea.focus();
        return;
      }
      if (body.length > MAX_COMMENT_LENGTH) {
        this.say(`Your comment is ${body.length - MAX_COMMENT_LENGTH} characters too long. The limit is ${MAX_COMMENT_LENGTH}. Shorten it and try again.`, 'error', note);
        this.closePreview(preview, previewButton, textarea);
        textarea.focus();
        return;
      }
      const resume = (): void => this.resumeForm(options.place, options.kind);
      if (!this.sessions.session && this.allowGuests && options.guest) {
        const guestFields = options.guest;
        const details = guestFields.read();
        if (!details) {
          this.say('Check your details: some are missing or not valid.', 'error', note);
          return;
        }
        void this.busy(submit, options.place, async () => {
          try {
            await options.onSubmit(body, details);
          } catch (err) {
            const errors = guestErrorsOf(err);
            if (!errors) throw err;
            guestFields.show(errors);
            throw new Error(`Your comment was not posted. ${Object.values(errors).join(' ')}`);
          }
          saveGuest(details);
          this.drafts.clear(options.draft);
        });
        return;
      }
      if (!this.sessions.session) {
        this.askSignIn(options.place, 'Sign in to post. What you wrote is kept, and it is posted once you are signed in.', 'info', resume);
        return;
      }
      void this.busy(
        submit,
        options.place,
        async () => {
          await options.onSubmit(body);
          this.drafts.clear(options.draft);
        },
        resume,
      );
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submitNow();
    });
    return { form, textarea, note, submitNow };
  }

  private closePreview(preview: HTMLElement, button: HTMLButtonElement, textarea: HTMLTextAreaElement): void {
    if (preview.hidden) return;
    preview.hidden = true;
    preview.replaceChildren();
    textarea.hidden = false;
    button.setAttribute('aria-pressed', 'false');
    button.textContent = 'Preview';
  }

  /** After sign-in, reopens the form the reader was sending (its text is in the drafts) and sends it. */
  private resumeForm(place: Place, kind: string): void {
    if (place.kind === 'compose') {
      this.composeParts?.submitNow();
      return;
    }
    this.again(place.id, (rendered) => {
      const parts = kind === 'edit' ? this.openEdit(rendered) : this.openReply(rendered);
      parts?.submitNow();
    });
  }

  private renderCompose(): void {
    const parts = this.commentForm({
      label: 'Add a comment',
      submitText: 'Post comment',
      draft: 'new',
      kind: 'compose',
      place: { kind: 'compose' },
      guest: guestForm(),
      onSubmit: async (body, guest) => {
        const created = await this.api.post(this.siteId, this.articleId, body, null, guest);
        parts.textarea.value = '';
        parts.textarea.dispatchEvent(new Event('input'));
        this.insert(created, null);
      },
    });
    parts.form.classList.add('panel');
    this.composeParts = parts;
    this.composeAuth = h('div', {});
    this.composeSlot.replaceChildren(parts.form, this.composeAuth);
    this.updateGuestForms();
  }

  /** Shows the guest fields to a signed-out reader where the site allows guests, hides them otherwise. */
  private updateGuestForms(): void {
    const on = this.allowGuests && !this.sessions.session;
    for (const box of Array.from(this.root.querySelectorAll<HTMLFieldSetElement>('fieldset.guest'))) box.hidden = !on;
  }

  private openReply(parent: Rendered): FormParts | null {
    const place: Place = { kind: 'comment', id: parent.comment.id };
    if (!this.sessions.session && !this.allowGuests) {
      this.askSignIn(place, `Sign in to reply to ${parent.comment.author.displayName}.`, 'info', () =>
        this.again(parent.comment.id, (again) => void this.openReply(again)),
      );
      return null;
    }
    const draft = `reply:${parent.comment.id}`;
    const parts = this.commentForm({
      label: `Reply to ${parent.comment.author.displayName}`,
      submitText: 'Post reply',
      draft,
      kind: 'reply',
      place,
      guest: guestForm(),
      onSubmit: async (body, guest) => {
        const created = await this.api.post(this.siteId, this.articleId, body, parent.comment.id, guest);
        this.closeSlot(parent, false);
        this.insert(created, parent);
      },
      extra: this.cancelButton(parent),
    });
    this.openSlot(parent, parts.form, parts.textarea);
    this.updateGuestForms();
    return parts;
  }

  /** Adds a just-posted comment where the reader expects it, announces its status, scrolls to it and highlights it. */
  private insert(created: ThreadComment, parent: Rendered | null): void {
    created.replies ??= [];
    const rendered = this.renderTree(created);
    if (parent) {
      parent.replies.hidden = false;
      parent.replies.append(rendered.item);
    } else if (this.sort === 'newest') this.thread.prepend(rendered.item);
    else this.thread.append(rendered.item);
    const note = rendered.article.querySelector<HTMLElement>(':scope > .note');
    if (created.status === 'approved') {
      this.total += 1;
      this.updateHeading();
      this.say('Your comment was posted.', 'success', note);
    } else {
      this.updateHeading();
      this.say('Your comment is held for moderation. Only you can see it until a moderator approves it.', 'info', note);
    }
    this.reveal(rendered);
  }

  private openEdit(rendered: Rendered): FormParts {
    const draft = `edit:${rendered.comment.id}`;
    const parts = this.commentForm({
      label: 'Edit your comment',
      submitText: 'Save changes',
      draft,
      initial: rendered.comment.body,
      kind: 'edit',
      place: { kind: 'comment', id: rendered.comment.id },
      onSubmit: async (body) => {
        const updated = await this.api.edit(rendered.comment.id, body);
        rendered.comment = { ...updated, replies: rendered.comment.replies };
        this.fillComment(rendered);
        const note = this.noteFor({ kind: 'comment', id: rendered.comment.id });
        if (updated.status === 'pending') {
          this.say('Your edit is held for moderation. Only you can see it until a moderator approves it.', 'info', note);
        } else {
          this.say('Your comment was updated.', 'success', note);
        }
        rendered.article.focus();
      },
      extra: this.cancelButton(rendered, () => this.drafts.clear(draft)),
    });
    this.openSlot(rendered, parts.form, parts.textarea);
    return parts;
  }

  private openDelete(rendered: Rendered): void {
    const confirm = this.button('Yes, delete it', undefined, 'primary');
    const place: Place = { kind: 'comment', id: rendered.comment.id };
    confirm.addEventListener('click', () =>
      void this.busy(confirm, place, async () => {
        await this.api.remove(rendered.comment.id);
        if (rendered.comment.status === 'approved') {
          this.total = Math.max(0, this.total - 1);
          this.updateHeading();
        }
        rendered.comment = { ...rendered.comment, status: 'deleted', html: '', body: '' };
        this.fillComment(rendered);
        this.say('Your comment was deleted.', 'success', this.noteFor(place));
        rendered.article.focus();
      }),
    );
    const box = h('div', { class: 'panel', role: 'group', 'aria-label': 'Confirm delete' },
      h('p', {}, 'Delete this comment? Replies to it stay visible.'),
      h('div', { class: 'row' }, confirm, this.cancelButton(rendered)),
    );
    this.openSlot(rendered, box, confirm);
  }

  private openFlag(rendered: Rendered): void {
    const place: Place = { kind: 'comment', id: rendered.comment.id };
    const reason = h('select', { required: true });
    for (const [value, label] of Object.entries(FLAG_REASON_LABELS)) reason.append(h('option', { value }, label));
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Send report');
    const form = h('form', { class: 'panel' }, field('Why should a moderator look at this?', reason),
      h('div', { class: 'row' }, submit, this.cancelButton(rendered)));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.busy(submit, place, async () => {
        await this.api.flag(rendered.comment.id, reason.value as FlagReason);
        this.closeSlot(rendered);
        this.say('Thank you. A moderator will review this comment.', 'success', this.noteFor(place));
      });
    });
    this.openSlot(rendered, form, reason);
  }

  // ----- signing in -----

  /**
   * Opens sign-in where the reader is (under the comment or the comment box) and remembers what they
   * were doing, to carry on once they are signed in.
   */
  private askSignIn(place: Place, message: string, kind: StatusKind, then?: () => void): void {
    this.resume = then ?? null;
    const panel = this.signInPanel(message, () => {
      this.resume = null;
      this.renderAccount();
    });
    panel.classList.add('signin');
    // One set of sign-in buttons at a time: the general one gives way to this one.
    this.account.replaceChildren();
    const container = place.kind === 'compose' ? this.composeAuth : this.rendered.get(place.id)?.article.querySelector('.slot');
    (container ?? this.account).replaceChildren(panel);
    this.say(message, kind);
    // The panel shows the message where the reader is; the live region only announces it.
    this.status.classList.add('sr-only');
    panel.scrollIntoView({ block: 'nearest' });
    panel.querySelector<HTMLElement>('button')?.focus();
  }

  private renderAccount(): void {
    const session = this.sessions.session;
    if (session) {
      const signOut = this.button('Sign out', undefined, '');
      signOut.addEventListener('click', () =>
        void this.busy(signOut, { kind: 'compose' }, async () => {
          try {
            await this.api.logout();
          } catch (err) {
            // An already-ended session is still a sign-out.
            if (!(err instanceof ApiError && err.status === 401)) throw err;
          }
          this.sessions.set(null);
          this.say('You are signed out.', 'success');
        }),
      );
      this.account.replaceChildren(
        h('div', { class: 'row panel' }, h('span', {}, 'Signed in as ', h('strong', {}, session.user.displayName)), signOut),
      );
    } else {
      this.account.replaceChildren(this.signInPanel('Sign in to join the discussion.'));
    }
    if (!this.composeParts || this.composeSlot.childElementCount === 0) this.renderCompose();
    else this.composeAuth.replaceChildren();
    this.updateGuestForms();
  }

  private signInPanel(message: string, onCancel?: () => void): HTMLElement {
    const panel = h('div', { class: 'panel', role: 'group', 'aria-label': 'Sign in' }, h('p', { class: 'hint' }, message));
    const body = h('div', {});
    const choices: [string, () => HTMLElement][] = [
      ['Email me a sign-in link', () => this.emailLinkForm()],
      ['Sign in with password', () => this.passwordForm()],
      ['Create an account', () => this.registerForm()],
    ];
    const row = h('div', { class: 'row' });
    const buttons: HTMLButtonElement[] = [];
    for (const [text, build] of choices) {
      const button = this.button(text, undefined, '');
      button.setAttribute('aria-expanded', 'false');
      button.addEventListener('click', () => {
        for (const other of buttons) other.setAttribute('aria-expanded', String(other === button));
        const form = build();
        body.replaceChildren(form);
        form.querySelector<HTMLElement>('input')?.focus();
      });
      buttons.push(button);
      row.append(button);
    }
    const facebook = this.button('Continue with Facebook', undefined, '');
    facebook.addEventListener('click', () => this.openFacebook());
    row.append(facebook);
    if (onCancel) {
      const cancel = this.button('Not now', undefined, 'link');
      cancel.addEventListener('click', () => {
        panel.remove();
        onCancel();
      });
      row.append(cancel);
    }
    panel.append(row, body);
    return panel;
  }

  private signedIn(session: Session): void {
    const resuming = this.resume !== null;
    this.sessions.set({ token: session.token, user: { ...session.user, role: session.user.role ?? 'commenter' } });
    this.say(`Signed in as ${session.user.displayName}.`, 'success');
    if (!resuming) this.composeParts?.textarea.focus();
  }

  /** Emailed links come back to this article page, without any fragment it carries now. */
  private returnTarget(): ReturnTarget {
    return { siteId: this.siteId, returnTo: location.href.split('#')[0] };
  }

  private emailLinkForm(): HTMLElement {
    const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Send link');
    const note = h('div', { class: 'note' });
    const form = h('form', {}, field('Email address', email), h('div', { class: 'row' }, submit), note);
    const wrapper = h('div', {}, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.busy(submit, { kind: 'compose' }, async () => {
        try {
          await this.api.requestEmailLink(email.value.trim(), this.returnTarget());
        } catch (err) {
          this.say(err instanceof Error ? err.message : 'The link could not be sent.', 'error', note);
          return;
        }
        this.say('Check your email for a sign-in link. It works once, for 15 minutes.');
        const codeForm = this.emailCodeForm();
        wrapper.replaceChildren(codeForm);
        codeForm.querySelector('input')?.focus();
      });
    });
    return wrapper;
  }

  /**
   * The emailed link reopens this page and signs in by itself. When the mail is read elsewhere (another
   * device or browser), the reader can paste the link here to sign in this tab instead.
   */
  private emailCodeForm(): HTMLElement {
    const code = h('input', { type: 'text', required: true, autocomplete: 'one-time-code', spellcheck: 'false' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const note = h('div', { class: 'note' });
    const form = h(
      'form',
      {},
      h('p', { class: 'hint' }, 'Open the link in the email on this device, or paste the link here.'),
      field('Sign-in link', code),
      h('div', { class: 'row' }, submit),
      note,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.signInWith(submit, note, () => this.api.verifyEmailLink(extractLinkToken(code.value)));
    });
    return form;
  }

  /** Sign-in failures show beside the form that failed; they never end anything. */
  private async signInWith(submit: HTMLButtonElement, note: HTMLElement, call: () => Promise<Session>): Promise<void> {
    if (submit.getAttribute('aria-disabled') === 'true') return;
    submit.setAttribute('aria-disabled', 'true');
    try {
      this.signedIn(await call());
    } catch (err) {
      this.say(err instanceof Error ? err.message : 'Signing in did not work. Try again.', 'error', note);
    } finally {
      submit.removeAttribute('aria-disabled');
    }
  }

  private passwordForm(): HTMLElement {
    const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
    const password = h('input', { type: 'password', required: true, autocomplete: 'current-password' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const note = h('div', { class: 'note' });
    const form = h('form', {}, h('div', { class: 'row' }, field('Email address', email), field('Password', password)), submit, note);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.signInWith(submit, note, () => this.api.login(email.value.trim(), password.value));
    });
    return form;
  }

  private registerForm(): HTMLElement {
    const name = h('input', { type: 'text', required: true, autocomplete: 'nickname', maxlength: 50 });
    const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
    const rulesId = uid('rules');
    const password = h('input', { type: 'password', required: true, autocomplete: 'new-password', minlength: 10, 'aria-describedby': rulesId });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Create account');
    const note = h('div', { class: 'note' });
    const form = h(
      'form',
      {},
      h('div', { class: 'row' }, field('Display name', name), field('Email address', email), field('Password', password)),
      h('p', { class: 'hint', id: rulesId }, `Password: ${PASSWORD_RULES}`),
      submit,
      note,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.signInWith(submit, note, () => this.api.register(email.value.trim(), password.value, name.value.trim(), this.returnTarget()));
    });
    return form;
  }

  /** The popup signs in on the service's origin and posts the session back (see SessionStore). */
  private openFacebook(): void {
    const query = new URLSearchParams({ siteId: this.siteId, returnTo: location.origin });
    const popup = window.open(`${this.api.base}/api/v1/auth/facebook?${query.toString()}`, 'threadline-facebook', 'popup,width=600,height=700');
    if (!popup) this.say('Your browser blocked the sign-in window. Allow pop-ups for this site and try again.', 'error');
    else this.say('Finish signing in with Facebook in the new window.');
  }
}

function countReplies(comment: ThreadComment): number {
  return (comment.replies ?? []).reduce((sum, reply) => sum + 1 + countReplies(reply), 0);
}

export const SIGN_IN_FRAGMENT_KEY = 'threadline-email-link';
export const VERIFY_EMAIL_FRAGMENT_KEY = 'threadline-verify-email';

/** Accepts the whole emailed link or just its token. */
export function extractLinkToken(input: string): string {
  const text = input.trim();
  const hash = text.indexOf('#');
  if (hash < 0) return text;
  return new URLSearchParams(text.slice(hash + 1)).get(SIGN_IN_FRAGMENT_KEY) ?? text;
}
