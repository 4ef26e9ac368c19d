/**
 * Unsent text, kept per article and per form (the new-comment box, each reply, each edit) in this tab's
 * sessionStorage until it is posted, so a reload, an ended session or a re-render never loses it.
 */
export class Drafts {
  private readonly prefix: string;

  constructor(siteId: string, articleId: string) {
    this.prefix = `threadline:draft:${siteId}:${articleId}:`;
  }

  get(slot: string): string {
    try {
      return sessionStorage.getItem(this.prefix + slot) ?? '';
    } catch {
      return '';
    }
  }

  set(slot: string, text: string): void {
    try {
      if (text.trim()) sessionStorage.setItem(this.prefix + slot, text);
      else sessionStorage.removeItem(this.prefix + slot);
    } catch {
      // Storage full or disabled: the text is still in the box.
    }
  }

  clear(slot: string): void {
    this.set(slot, '');
  }
}
