type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children. Strings always become text nodes, so nothing
 * built here can turn user text into markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

let nextId = 0;
/** An id unique inside the page, for label/for and aria references. */
export function uid(prefix: string): string {
  nextId += 1;
  return `tl-${prefix}-${nextId}`;
}

/** A labelled form field; returns the wrapper and the control. */
export function field<C extends HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>(
  label: string,
  control: C,
): HTMLDivElement {
  const id = control.id || uid('field');
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

/** Applies styles inside a shadow root: constructed sheets where supported, a style element otherwise. */
export function adoptStyles(root: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return;
    } catch {
      // Fall through to a style element on engines without constructable sheets.
    }
  }
  root.append(h('style', {}, css));
}
