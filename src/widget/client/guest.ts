import { ApiError, type GuestDetails } from './api';
import { field, h, uid } from './dom';

/** The service's longest guest name and website (see the comment schemas). */
const MAX_NAME = 60;
const MAX_WEBSITE = 200;
/** Kept on this browser for the host site, like a comment form's remembered details. */
const STORAGE_KEY = 'threadline:guest';
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type GuestField = 'name' | 'email' | 'website';
export type GuestErrors = Partial<Record<GuestField, string>>;

/**
 * The address as an http(s) link, or null. Only http: and https: without a user name or password are
 * ever put into an href; anything else (javascript:, data:, …) is refused.
 */
export function safeWebsite(value: string | undefined | null): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return null;
  return url.href;
}

/** The details remembered from this browser's last guest comment, if any. */
export function loadGuest(): GuestDetails | null {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as Partial<GuestDetails> | null;
    if (!stored || typeof stored.name !== 'string' || typeof stored.email !== 'string') return null;
    return { name: stored.name, email: stored.email, website: typeof stored.website === 'string' ? stored.website : undefined };
  } catch {
    return null;
  }
}

export function saveGuest(details: GuestDetails): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(details));
  } catch {
    // Storage disabled or full: the reader types their details again next time.
  }
}

/** What the reader typed, checked as the service will check it; a website without a scheme gets https://. */
export function checkGuest(input: { name: string; email: string; website: string }): { details: GuestDetails; errors: GuestErrors } {
  const name = input.name.trim();
  const email = input.email.trim();
  let website = input.website.trim();
  const errors: GuestErrors = {};
  if (!name) errors.name = 'Enter your name: it is shown with your comment.';
  else if (name.length > MAX_NAME) errors.name = `Your name can be at most ${MAX_NAME} characters.`;
  if (!email) errors.email = 'Enter your email address. It is never shown publicly.';
  else if (!EMAIL.test(email) || email.length > 254) errors.email = 'Enter an email address like name@example.org.';
  if (website && !/^[a-z][a-z0-9+.-]*:/i.test(website)) website = `https://${website}`;
  if (website && (!safeWebsite(website) || website.length > MAX_WEBSITE)) {
    errors.website = 'Enter a web address starting with http:// or https://, or leave Website empty.';
  }
  return { details: { name, email, ...(website ? { website } : {}) }, errors };
}

/** The service's answer as messages per field, when it names the guest's details. */
export function guestErrorsOf(err: unknown): GuestErrors | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 409) return { email: err.message };
  if (err.status !== 400) return null;
  const errors: GuestErrors = {};
  const said: Record<GuestField, string> = { name: 'Your name', email: 'Your email address', website: 'Your website' };
  for (const key of ['name', 'email', 'website'] as const) {
    const message = err.fields[`guest.${key}`];
    if (!message) continue;
    errors[key] = /^(must|is|should|can)\b/.test(message) ? `${said[key]} ${message}.` : `${said[key]}: ${message}.`;
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

export interface GuestForm {
  box: HTMLFieldSetElement;
  /** The checked details, or null after marking what is wrong (focus goes to the first such field). */
  read(): GuestDetails | null;
  show(errors: GuestErrors): void;
}

/** Name, email (never shown) and an optional website, prefilled from this browser's last guest comment. */
export function guestForm(): GuestForm {
  const remembered = loadGuest();
  const inputs: Record<GuestField, HTMLInputElement> = {
    name: h('input', { type: 'text', autocomplete: 'name', maxlength: MAX_NAME, 'aria-required': 'true' }),
    email: h('input', { type: 'text', inputmode: 'email', autocomplete: 'email', spellcheck: 'false', 'aria-required': 'true' }),
    website: h('input', { type: 'text', inputmode: 'url', autocomplete: 'url', spellcheck: 'false', placeholder: 'https://' }),
  };
  inputs.name.value = remembered?.name ?? '';
  inputs.email.value = remembered?.email ?? '';
  inputs.website.value = remembered?.website ?? '';
  const labels: Record<GuestField, string> = { name: 'Name', email: 'Email', website: 'Website (optional)' };
  const errorsAt = {} as Record<GuestField, HTMLElement>;
  const fields: HTMLElement[] = [];
  for (const key of ['name', 'email', 'website'] as const) {
    const error = h('p', { class: 'field-error', id: uid('error') });
    errorsAt[key] = error;
    const hint = key === 'email' ? h('p', { class: 'hint', id: uid('hint') }, 'Never shown publicly.') : null;
    inputs[key].setAttribute('aria-describedby', [hint?.id, error.id].filter(Boolean).join(' '));
    const wrapper = field(labels[key], inputs[key]);
    if (hint) wrapper.append(hint);
    wrapper.append(error);
    fields.push(wrapper);
    inputs[key].addEventListener('input', () => show({ ...current, [key]: undefined }));
  }
  let current: GuestErrors = {};
  const show = (errors: GuestErrors): void => {
    current = errors;
    for (const key of ['name', 'email', 'website'] as const) {
      errorsAt[key].textContent = errors[key] ?? '';
      if (errors[key]) inputs[key].setAttribute('aria-invalid', 'true');
      else inputs[key].removeAttribute('aria-invalid');
    }
    const first = (['name', 'email', 'website'] as const).find((key) => errors[key]);
    if (first) inputs[first].focus();
  };
  const box = h(
    'fieldset',
    { class: 'guest', hidden: true },
    h('legend', {}, 'Fill in your details below'),
    h('p', { class: 'hint' }, 'Comment as a guest, or sign in above. Your details are remembered on this browser.'),
    h('div', { class: 'row' }, ...fields),
  );
  return {
    box,
    read() {
      const { details, errors } = checkGuest({ name: inputs.name.value, email: inputs.email.value, website: inputs.website.value });
      show(errors);
      return Object.keys(errors).length > 0 ? null : details;
    },
    show,
  };
}
