import { h } from '../../widget/client/dom';

export { h };

/** Announces a result to screen readers (and shows it in the live region). */
export function announce(text: string): void {
  const live = document.getElementById('live');
  if (!live) return;
  live.textContent = '';
  // A fresh text node, so the same message twice is read twice.
  window.setTimeout(() => {
    live.textContent = text;
  }, 10);
}

export function main(): HTMLElement {
  const element = document.getElementById('main');
  if (!element) throw new Error('The console page has no main element.');
  return element;
}

/** Replaces the main content and moves focus to its heading, for keyboard and screen-reader users. */
export function show(title: string, ...children: (Node | string | null)[]): HTMLElement {
  const root = main();
  const heading = h('h1', { tabindex: '-1' }, title);
  root.replaceChildren(heading, ...children.filter((c): c is Node | string => c !== null));
  document.title = `${title} · Threadline moderation`;
  heading.focus();
  return root;
}

let fieldCount = 0;

/** A labelled control. */
export function labelled<C extends HTMLElement>(text: string, control: C, inline = false): HTMLElement {
  fieldCount += 1;
  if (!control.id) control.id = `f${fieldCount}`;
  const label = h('label', { for: control.id, class: inline ? 'inline' : undefined }, text);
  return inline ? h('span', {}, label, control) : h('div', {}, label, control);
}

export function button(text: string, onClick: () => void, attrs: Record<string, string> = {}): HTMLButtonElement {
  const b = h('button', { type: 'button', ...attrs }, text);
  b.addEventListener('click', onClick);
  return b;
}

export interface AskField {
  name: string;
  label: string;
  value?: string;
  options?: [string, string][];
}

/** A modal form; resolves with the values, or null when cancelled. Focus returns where it was. */
export function ask(title: string, fields: AskField[], submitText: string): Promise<Record<string, string> | null> {
  const before = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const controls = fields.map((f) => {
      let control: HTMLInputElement | HTMLSelectElement;
      if (f.options) {
        control = h('select', { name: f.name }, ...f.options.map(([value, text]) => h('option', { value }, text)));
      } else {
        control = h('input', { name: f.name, type: 'text', autocomplete: 'off' });
      }
      control.value = f.value ?? control.value;
      return { f, control };
    });
    const form = h(
      'form',
      { method: 'dialog', class: 'stack' },
      h('h2', {}, title),
      ...controls.map(({ f, control }) => labelled(f.label, control)),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', value: 'ok' }, submitText), h('button', { type: 'submit', value: 'cancel' }, 'Cancel')),
    );
    const dialog = h('dialog', { 'aria-label': title }, form);
    document.body.append(dialog);
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.remove();
      before?.focus();
      resolve(ok ? Object.fromEntries(controls.map(({ f, control }) => [f.name, control.value])) : null);
    });
    dialog.showModal();
    controls[0]?.control.focus();
  });
}

/** "3 days", "5 hours": how old an account is. */
export function age(iso: string | null): string {
  if (!iso) return 'unknown age';
  const days = Math.floor((Date.now() - Date.parse(iso)) / 86_400_000);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'} old`;
  const hours = Math.floor((Date.now() - Date.parse(iso)) / 3_600_000);
  return hours >= 1 ? `${hours} hour${hours === 1 ? '' : 's'} old` : 'new today';
}
