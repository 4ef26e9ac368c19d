import { h } from './dom';

/**
 * Live threads in the widget: listens to the article's event stream and, instead of moving the page
 * under the reader, counts what arrived in a button ("2 new comments"); a click shows them in place.
 * When a proxy buffers the stream (no `ready` within a few seconds), it falls back to long-polling.
 */

interface LiveOptions {
  base: string;
  siteId: string;
  articleId: string;
  /** True when the comment is already on the page (the reader's own, just posted). */
  isShown(commentId: string): boolean;
  /** Reloads the thread; called on the reader's click. */
  reveal(): Promise<void>;
}

export interface LiveHandle {
  banner: HTMLButtonElement;
  /** The comment is on the page now: the reader's own post may land after its event, and is not new to them. */
  shown(commentId: string): void;
}

const READY_TIMEOUT_MS = 8000;
const POLL_RETRY_MS = 5000;

export function connectLive(options: LiveOptions): LiveHandle {
  const banner = h('button', { type: 'button', class: 'more live', hidden: true, 'aria-live': 'polite' });
  const path = `${options.base}/api/v1/sites/${encodeURIComponent(options.siteId)}/articles/${encodeURIComponent(options.articleId)}/events`;
  const fresh = new Set<string>();
  let changed = false;

  const show = (): void => {
    const count = fresh.size;
    banner.textContent = count > 0 ? `${count} new comment${count === 1 ? '' : 's'}` : 'Comments were updated: show';
    banner.hidden = count === 0 && !changed;
  };
  const hear = (event: { id: string; type: string }): void => {
    if (event.type === 'created') {
      if (!options.isShown(event.id)) fresh.add(event.id);
    } else if (options.isShown(event.id)) {
      changed = true;
    }
    show();
  };
  banner.addEventListener('click', () => {
    fresh.clear();
    changed = false;
    show();
    void options.reveal();
  });

  const poll = async (): Promise<void> => {
    let cursor: string | null = null;
    for (;;) {
      try {
        const response = await fetch(`${path}?poll=1${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`);
        if (!response.ok) throw new Error(String(response.status));
        const answer = (await response.json()) as { events: { id: string; type: string }[]; cursor: string; reset?: boolean };
        if (answer.reset) {
          changed = true;
          show();
        }
        for (const event of answer.events) hear(event);
        cursor = answer.cursor;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, POLL_RETRY_MS));
      }
    }
  };

  if (typeof EventSource === 'undefined') {
    void poll();
  } else {
    const source = new EventSource(path);
    let ready = false;
    const fallback = setTimeout(() => {
      if (ready) return;
      source.close();
      void poll();
    }, READY_TIMEOUT_MS);
    source.addEventListener('ready', () => {
      ready = true;
      clearTimeout(fallback);
    });
    source.addEventListener('comment', (message) => {
      try {
        hear(JSON.parse((message as MessageEvent<string>).data) as { id: string; type: string });
      } catch {
        // a malformed event is ignored
      }
    });
    source.addEventListener('reload', () => {
      changed = true;
      show();
    });
  }
  return {
    banner,
    shown(commentId) {
      if (fresh.delete(commentId)) show();
    },
  };
}
