export type Scheme = 'light' | 'dark';

/** Relative luminance of an `rgb()`/`rgba()` colour, or null when it is (nearly) transparent. */
function luminance(color: string): number | null {
  const parts = /rgba?\(([^)]+)\)/.exec(color)?.[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  if (!parts || parts.length < 3 || parts.slice(0, 3).some((n) => !Number.isFinite(n))) return null;
  if (parts.length > 3 && parts[3] < 0.5) return null;
  const [r, g, b] = parts.slice(0, 3).map((n) => {
    const c = n / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The background the host page paints behind an element: the first opaque one up the tree. */
function hostBackground(element: Element): number | null {
  for (let node: Element | null = element; node; node = node.parentElement) {
    const found = luminance(getComputedStyle(node).backgroundColor);
    if (found !== null) return found;
  }
  return null;
}

/**
 * The scheme a host asks for with `data-theme="light" | "dark" | "auto"` (auto by default): auto reads
 * the page's own background behind the widget, and the reader's preference when the page paints none.
 */
export function resolveScheme(host: HTMLElement): Scheme {
  const wanted = host.dataset.theme;
  if (wanted === 'light' || wanted === 'dark') return wanted;
  const background = hostBackground(host);
  if (background !== null) return background < 0.179 ? 'dark' : 'light';
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
