import { ApiError, type ApiClient, type FlagReason, type ReturnTarget, type SortOrder, type ThreadComment } from './api';
import { adoptStyles, field, h, uid } from './dom';
import { connectLive } from './live';
import type { SessionStore } from './session';
import { WIDGET_CSS } from './styles';
import { relativeTime } from './time';

/** Replies deeper than this are listed without more indentation, so threads stay readable on phones. */
const INDENT_CAP = 4;
/** Until the first page arrives with the site's own edit window. */
const DEFAULT_EDIT_WINDOW_SECONDS = 300;
/** The service refuses longer comments; the box stops there instead of letting a draft fail. */
const MAX_COMMENT_LENGTH = 5000;
const FLAG_REASONS: [FlagReason, string][] = [
  ['spam', 'Spam'],
  ['abuse', 'Abusive or harassing'],
  ['off-topic', 'Off topic'],
  ['other', 'Something else'],
];

type StatusKind = 'info' | 'error' | 'success';

interface Rendered {
  comment: ThreadComment;
  item: HTMLLIElement;
  article: HTMLElement;
  replies: HTMLOListElement;
}

/** One comment thread mounted into a host element's shadow root. */
export class CommentWidget {
  private readonly root: ShadowRoot;
  private readonly heading = h('h2', {}, 'Comments');
  private readonly status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly account = h('div', { class: 'account' });
  private readonly composeSlot = h('div', { class: 'compose' });
  private readonly thread = h('ol', { class: 'thread', 'aria-label': 'Comments' });
  private readonly moreButton = h('button', { type: 'button', class: 'more', hidden: true }, 'Load more comments');
  private readonly sortSelect = h('select', {});
  private readonly rendered = new Map<string, Rendered>();
  private readonly myVotes = new Map<string, 1 | -1>();
  private sort: SortOrder = 'oldest';
  private cursor: string | null = null;
  private total = 0;
  private loadGeneration = 0;
  private editWindowSeconds = DEFAULT_EDIT_WINDOW_SECONDS;

  constructor(
    host: HTMLElement,
    private readonly api: ApiClient,
    private readonly sessions: SessionStore,
    private readonly siteId: string,
    private readonly articleId: string,
  ) {
    this.root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    adoptStyles(this.root, WIDGET_CSS);
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
    const live = connectLive({ base: api.base, siteId, articleId, isShown: (id) => this.rendered.has(id), reveal: () => this.load(false) });
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
        this.thread,
        this.moreButton,
      ),
    );
    sessions.subscribe(() => {
      this.renderAccount();
      void this.load(false);
    });
    this.renderAccount();
    void this.load(false);
    setInterval(() => this.refreshTimes(), 60_000);
  }

  say(message: string, kind: StatusKind = 'info'): void {
    this.status.dataset.kind = kind;
    this.status.textContent = message;
  }

  /** Shows an API failure; an ended session signs the reader out here too. */
  private fail(err: unknown): void {
    const message = err instanceof Error ? err.message : 'Something went wrong. Try again.';
    if (err instanceof ApiError && err.status === 401 && this.sessions.session) {
      this.sessions.set(null);
      this.say('Your session has ended. Please sign in again.', 'error');
      return;
    }
    this.say(message, 'error');
  }

  /** Runs an action with its button disabled, so double clicks do not post twice. */
  private async busy(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
    button.disabled = true;
    try {
      await action();
    } catch (err) {
      this.fail(err);
    } finally {
      button.disabled = false;
    }
  }

  // ----- reading -----

  private async load(append: boolean): Promise<void> {
    const generation = ++this.loadGeneration;
    if (!append) this.cursor = null;
    this.moreButton.disabled = true;
    try {
      const page = await this.api.thread(this.siteId, this.articleId, this.sort, append ? this.cursor : null);
      if (generation !== this.loadGeneration) return;
      this.editWindowSeconds = page.editWindowSeconds;
      if (!append) {
        this.thread.replaceChildren();
        this.rendered.clear();
      }
      for (const comment of page.comments) this.thread.append(this.renderTree(comment).item);
      this.cursor = page.nextCursor;
      this.total = page.total;
      this.updateHeading();
      this.moreButton.hidden = !page.nextCursor;
    } catch (err) {
      if (generation === this.loadGeneration) this.fail(err);
    } finally {
      this.moreButton.disabled = false;
    }
  }

  private updateHeading(): void {
    this.heading.textContent = `${this.total} comment${this.total === 1 ? '' : 's'}`;
  }

  private refreshTimes(): void {
    for (const time of Array.from(this.root.querySelectorAll('time'))) {
      time.textContent = relativeTime(time.dateTime);
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
    this.fillComment(rendered);
    item.append(rendered.article, replies);
    for (const reply of comment.replies ?? []) replies.append(this.renderTree(reply).item);
    return rendered;
  }

  /** (Re)draws one comment's own block; its replies are left alone. */
  private fillComment(rendered: Rendered): void {
    const { comment } = rendered;
    const article = h('article', {
      id: `tl-comment-${comment.id}`,
      tabindex: -1,
      'aria-label': `Comment by ${comment.author.displayName}`,
      'data-status': comment.status,
    });
    const time = h('time', { datetime: comment.createdAt, title: new Date(comment.createdAt).toLocaleString() });
    time.textContent = relativeTime(comment.createdAt);
    const meta = h(
      'div',
      { class: 'meta' },
      h('span', { class: 'author' }, comment.status === 'deleted' ? 'Deleted' : comment.author.displayName),
      time,
      comment.editedAt && comment.status !== 'deleted' ? h('span', { class: 'edited' }, '(edited)') : null,
      comment.status === 'pending' ? h('span', { class: 'badge' }, 'Awaiting moderation') : null,
    );
    article.append(meta);
    if (comment.status === 'deleted') {
      article.append(h('p', { class: 'tombstone' }, 'This comment was deleted.'));
    } else {
      const body = h('div', { class: 'body' });
      // The service renders and sanitizes `html`; it is the only API text ever inserted as markup.
      body.innerHTML = comment.html;
      article.append(body, this.renderActions(rendered));
    }
    article.append(h('div', { class: 'slot' }));
    rendered.article.replaceWith(article);
    rendered.article = article;
  }

  private renderActions(rendered: Rendered): HTMLElement {
    const { comment } = rendered;
    const actions = h('div', { class: 'actions' });
    const score = h('span', { class: 'score', 'aria-label': `Score ${comment.score}` }, String(comment.score));
    if (!this.sessions.session) {
      actions.append(h('span', { class: 'hint' }, `Score ${comment.score}`));
      return actions;
    }
    const mine = this.isMine(comment);
    const upvote = this.button('▲', `Upvote comment by ${comment.author.displayName}`);
    const downvote = this.button('▼', `Downvote comment by ${comment.author.displayName}`);
    const setPressed = (): void => {
      const vote = this.myVotes.get(comment.id);
      upvote.setAttribute('aria-pressed', String(vote === 1));
      downvote.setAttribute('aria-pressed', String(vote === -1));
    };
    setPressed();
    const vote = (value: 1 | -1, button: HTMLButtonElement): Promise<void> =>
      this.busy(button, async () => {
        const next = this.myVotes.get(comment.id) === value ? 0 : value;
        const result = await this.api.vote(comment.id, next);
        if (next === 0) this.myVotes.delete(comment.id);
        else this.myVotes.set(comment.id, next);
        comment.score = result.score;
        score.textContent = String(result.score);
        score.setAttribute('aria-label', `Score ${result.score}`);
        setPressed();
        this.say(next === 0 ? 'Vote removed.' : 'Vote recorded.', 'success');
      });
    upvote.addEventListener('click', () => void vote(1, upvote));
    downvote.addEventListener('click', () => void vote(-1, downvote));
    if (!mine) actions.append(upvote, score, downvote);
    else actions.append(score);

    if (comment.status === 'approved') {
      const reply = this.button('Reply', `Reply to ${comment.author.displayName}`);
      reply.addEventListener('click', () => this.openReply(rendered));
      actions.append(reply);
    }
    if (mine) {
      const ageSeconds = (Date.now() - new Date(comment.createdAt).getTime()) / 1000;
      if (ageSeconds < this.editWindowSeconds) {
        const edit = this.button('Edit');
        edit.addEventListener('click', () => this.openEdit(rendered));
        actions.append(edit);
      }
      const remove = this.button('Delete');
      remove.addEventListener('click', () => this.openDelete(rendered));
      actions.append(remove);
    } else {
      const flag = this.button('Report', `Report comment by ${comment.author.displayName}`);
      flag.addEventListener('click', () => this.openFlag(rendered));
      actions.append(flag);
    }
    return actions;
  }

  private button(text: string, label?: string, className = 'link'): HTMLButtonElement {
    return h('button', { type: 'button', class: className, 'aria-label': label }, text);
  }

  /** Puts a small form under a comment, replacing any other open one there. */
  private openSlot(rendered: Rendered, content: HTMLElement, focus: HTMLElement): void {
    const slot = rendered.article.querySelector('.slot');
    if (!slot) return;
    slot.replaceChildren(content);
    focus.focus();
  }

  private closeSlot(rendered: Rendered, returnFocus = true): void {
    rendered.article.querySelector('.slot')?.replaceChildren();
    if (returnFocus) rendered.article.focus();
  }

  private cancelButton(rendered: Rendered): HTMLButtonElement {
    const cancel = this.button('Cancel', undefined, '');
    cancel.addEventListener('click', () => this.closeSlot(rendered));
    return cancel;
  }

  // ----- writing -----

  private commentForm(label: string, submitText: string, initial: string, onSubmit: (body: string) => Promise<void>, extra?: HTMLElement) {
    const textarea = h('textarea', { required: true, maxlength: MAX_COMMENT_LENGTH, rows: 4 });
    textarea.value = initial;
    const submit = h('button', { type: 'submit', class: 'primary' }, submitText);
    const form = h('form', {}, field(label, textarea), h('div', { class: 'row' }, submit, extra));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = textarea.value.trim();
      if (!body) {
        this.say('Write something first.', 'error');
        textarea.focus();
        return;
      }
      void this.busy(submit, () => onSubmit(body));
    });
    return { form, textarea };
  }

  private renderCompose(): void {
    if (!this.sessions.session) {
      this.composeSlot.replaceChildren();
      return;
    }
    const { form, textarea } = this.commentForm('Add a comment', 'Post comment', '', async (body) => {
      const created = await this.api.post(this.siteId, this.articleId, body, null);
      textarea.value = '';
      this.insert(created, null);
    });
    form.classList.add('panel');
    this.composeSlot.replaceChildren(form);
  }

  private openReply(parent: Rendered): void {
    const { form, textarea } = this.commentForm(
      `Reply to ${parent.comment.author.displayName}`,
      'Post reply',
      '',
      async (body) => {
        const created = await this.api.post(this.siteId, this.articleId, body, parent.comment.id);
        this.closeSlot(parent, false);
        this.insert(created, parent);
      },
      this.cancelButton(parent),
    );
    this.openSlot(parent, form, textarea);
  }

  /** Adds a just-posted comment where the reader expects it, announces its status and moves focus to it. */
  private insert(created: ThreadComment, parent: Rendered | null): void {
    created.replies ??= [];
    const rendered = this.renderTree(created);
    if (parent) parent.replies.append(rendered.item);
    else if (this.sort === 'newest') this.thread.prepend(rendered.item);
    else this.thread.append(rendered.item);
    if (created.status === 'approved') {
      this.total += 1;
      this.updateHeading();
      this.say('Your comment was posted.', 'success');
    } else {
      this.say('Your comment is held for moderation. It will appear for others once a moderator approves it.');
    }
    rendered.article.focus();
  }

  private openEdit(rendered: Rendered): void {
    const { form, textarea } = this.commentForm(
      'Edit your comment',
      'Save changes',
      rendered.comment.body,
      async (body) => {
        const updated = await this.api.edit(rendered.comment.id, body);
        rendered.comment = { ...updated, replies: rendered.comment.replies };
        this.fillComment(rendered);
        this.say(
          updated.status === 'pending' ? 'Your edit is held for moderation.' : 'Your comment was updated.',
          updated.status === 'pending' ? 'info' : 'success',
        );
        rendered.article.focus();
      },
      this.cancelButton(rendered),
    );
    this.openSlot(rendered, form, textarea);
  }

  private openDelete(rendered: Rendered): void {
    const confirm = this.button('Yes, delete it', undefined, 'primary');
    confirm.addEventListener('click', () =>
      void this.busy(confirm, async () => {
        await this.api.remove(rendered.comment.id);
        if (rendered.comment.status === 'approved') {
          this.total = Math.max(0, this.total - 1);
          this.updateHeading();
        }
        rendered.comment = { ...rendered.comment, status: 'deleted', html: '', body: '' };
        this.fillComment(rendered);
        this.say('Your comment was deleted.', 'success');
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
    const reason = h('select', { required: true });
    for (const [value, label] of FLAG_REASONS) reason.append(h('option', { value }, label));
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Send report');
    const form = h('form', { class: 'panel' }, field('Why should a moderator look at this?', reason),
      h('div', { class: 'row' }, submit, this.cancelButton(rendered)));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.busy(submit, async () => {
        await this.api.flag(rendered.comment.id, reason.value as FlagReason);
        this.closeSlot(rendered);
        this.say('Thank you. A moderator will review this comment.', 'success');
      });
    });
    this.openSlot(rendered, form, reason);
  }

  // ----- signing in -----

  private renderAccount(): void {
    const session = this.sessions.session;
    if (session) {
      const signOut = this.button('Sign out', undefined, '');
      signOut.addEventListener('click', () =>
        void this.busy(signOut, async () => {
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
      this.account.replaceChildren(this.signInPanel());
    }
    this.renderCompose();
  }

  private signInPanel(): HTMLElement {
    const panel = h('div', { class: 'panel' }, h('p', { class: 'hint' }, 'Sign in to join the discussion.'));
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
    panel.append(row, body);
    return panel;
  }

  private signedIn(session: { token: string; user: { id: string; displayName: string } }): void {
    this.sessions.set({ token: session.token, user: { role: 'commenter', emailVerified: false, banned: false, ...session.user } });
    this.say(`Signed in as ${session.user.displayName}.`, 'success');
    this.composeSlot.querySelector('textarea')?.focus();
  }

  /** Emailed links come back to this article page, without any fragment it carries now. */
  private returnTarget(): ReturnTarget {
    return { siteId: this.siteId, returnTo: location.href.split('#')[0] };
  }

  private emailLinkForm(): HTMLElement {
    const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Send link');
    const form = h('form', {}, field('Email address', email), h('div', { class: 'row' }, submit));
    const wrapper = h('div', {}, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.busy(submit, async () => {
        await this.api.requestEmailLink(email.value.trim(), this.returnTarget());
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
    const form = h(
      'form',
      {},
      h('p', { class: 'hint' }, 'Open the link in the email on this device, or paste the link here.'),
      field('Sign-in link', code),
      h('div', { class: 'row' }, submit),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.busy(submit, async () => {
        this.signedIn(await this.api.verifyEmailLink(extractLinkToken(code.value)));
      });
    });
    return form;
  }

  private passwordForm(): HTMLElement {
    const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
    const password = h('input', { type: 'password', required: true, autocomplete: 'current-password' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h('form', {}, h('div', { class: 'row' }, field('Email address', email), field('Password', password)), submit);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.busy(submit, async () => this.signedIn(await this.api.login(email.value.trim(), password.value)));
    });
    return form;
  }

  private registerForm(): HTMLElement {
    const name = h('input', { type: 'text', required: true, autocomplete: 'nickname', maxlength: 60 });
    const email = h('input', { type: 'email', required: true, autocomplete: 'email' });
    const password = h('input', { type: 'password', required: true, autocomplete: 'new-password', minlength: 10 });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Create account');
    const form = h(
      'form',
      {},
      h('div', { class: 'row' }, field('Display name', name), field('Email address', email), field('Password', password)),
      submit,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.busy(submit, async () =>
        this.signedIn(await this.api.register(email.value.trim(), password.value, name.value.trim(), this.returnTarget())),
      );
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

export const SIGN_IN_FRAGMENT_KEY = 'threadline-email-link';
export const VERIFY_EMAIL_FRAGMENT_KEY = 'threadline-verify-email';

/** Accepts the whole emailed link or just its token. */
export function extractLinkToken(input: string): string {
  const text = input.trim();
  const hash = text.indexOf('#');
  if (hash < 0) return text;
  return new URLSearchParams(text.slice(hash + 1)).get(SIGN_IN_FRAGMENT_KEY) ?? text;
}
