import { ApiClient, scriptOrigin } from './api';

/** The counts endpoint takes a bounded list of articles per request. */
const BATCH = 50;

// Read while the script runs: document.currentScript is only set then.
const api = new ApiClient(scriptOrigin('/embed/count.js'));

async function fillCounts(): Promise<void> {
  const elements = document.querySelectorAll<HTMLElement>('[data-comment-count][data-site][data-article]');
  const bySite = new Map<string, HTMLElement[]>();
  for (const element of Array.from(elements)) {
    const siteId = element.dataset.site;
    if (!siteId || !element.dataset.article) continue;
    bySite.set(siteId, [...(bySite.get(siteId) ?? []), element]);
  }
  for (const [siteId, siteElements] of bySite) {
    const articles = [...new Set(siteElements.map((element) => element.dataset.article ?? ''))];
    for (let start = 0; start < articles.length; start += BATCH) {
      const batch = articles.slice(start, start + BATCH);
      let counts: Record<string, number>;
      try {
        counts = await api.counts(siteId, batch);
      } catch {
        continue;
      }
      for (const element of siteElements) {
        const count = counts[element.dataset.article ?? ''];
        if (typeof count !== 'number' || !batch.includes(element.dataset.article ?? '')) continue;
        element.textContent = `${count} comment${count === 1 ? '' : 's'}`;
        element.dataset.commentCountValue = String(count);
      }
    }
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void fillCounts());
else void fillCounts();
