import { h } from './dom';

interface FeaturedComment {
  id: string;
  author: { displayName: string };
  html: string;
}

/**
 * The Featured tab (editors' picks): when an article has featured comments, they are shown first,
 * under their own tab, beside an "All comments" tab holding the thread. Kept in its own module so the
 * widget needs one line to mount it. `html` is rendered and sanitized by the service.
 */
export function featuredTabs(base: string, siteId: string, articleId: string, thread: HTMLElement, more: HTMLElement): HTMLElement {
  const box = h('div', { class: 'featured-tabs', hidden: true });
  const url = `${base}/api/v1/sites/${encodeURIComponent(siteId)}/articles/${encodeURIComponent(articleId)}/featured`;
  void fetch(url)
    .then((res) => (res.ok ? (res.json() as Promise<{ comments: FeaturedComment[] }>) : { comments: [] }))
    .then(({ comments }) => {
      if (!comments.length) return;
      const panel = h('ol', { class: 'thread featured', role: 'tabpanel', 'aria-label': 'Featured comments' });
      for (const comment of comments) {
        const body = h('div', { class: 'body' });
        body.innerHTML = comment.html;
        panel.append(h('li', { class: 'comment' }, h('article', {}, h('div', { class: 'meta' }, h('span', { class: 'author' }, comment.author.displayName), h('span', { class: 'badge' }, 'Featured')), body)));
      }
      const tabs = [h('button', { type: 'button', role: 'tab' }, `Featured (${comments.length})`), h('button', { type: 'button', role: 'tab' }, 'All comments')];
      const select = (featured: boolean): void => {
        tabs[0].setAttribute('aria-selected', String(featured));
        tabs[1].setAttribute('aria-selected', String(!featured));
        panel.hidden = !featured;
        thread.hidden = featured;
        more.style.display = featured ? 'none' : '';
      };
      tabs[0].addEventListener('click', () => select(true));
      tabs[1].addEventListener('click', () => select(false));
      box.append(h('div', { class: 'row', role: 'tablist', 'aria-label': 'Comment views' }, ...tabs), panel);
      box.hidden = false;
      select(true);
    })
    .catch(() => undefined);
  return box;
}
