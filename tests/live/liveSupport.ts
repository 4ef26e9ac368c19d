import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface ListeningApp {
  url: string;
  close(): Promise<void>;
}

/** The app on a real loopback port, for streaming responses that supertest would buffer. */
export async function listen(app: Express): Promise<ListeningApp> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SseFrame {
  event: string;
  id?: string;
  data: string;
}

/** An open event stream: its status, headers, every frame and comment line received so far. */
export interface OpenStream {
  status: number;
  headers: Headers;
  frames: SseFrame[];
  comments: string[];
  /** Resolves with the first frame (from the start) that matches, failing after `timeoutMs`. */
  waitFor(match: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  waitForComment(text: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const frames: SseFrame[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  if (res.body && res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffered += value;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const block = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const frame: SseFrame = { event: 'message', data: '' };
            let isFrame = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else if (line.startsWith('event: ')) {
                frame.event = line.slice(7);
                isFrame = true;
              } else if (line.startsWith('data: ')) {
                frame.data = line.slice(6);
                isFrame = true;
              } else if (line.startsWith('id: ')) frame.id = line.slice(4);
            }
            if (isFrame) frames.push(frame);
            for (const wake of waiters) wake();
          }
        }
      } catch {
        // aborted by close()
      }
    })();
  }
  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        const found = check();
        if (found === undefined) return false;
        waiters.delete(wake);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const wake = (): void => void attempt();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(new Error(`no ${what} within ${timeoutMs} ms; frames: ${JSON.stringify(frames)}`));
      }, timeoutMs);
      if (!attempt()) waiters.add(wake);
    });
  return {
    status: res.status,
    headers: res.headers,
    frames,
    comments,
    waitFor: (match, timeoutMs = 5000) => until(() => frames.find(match), timeoutMs, 'matching event'),
    waitForComment: (text, timeoutMs = 5000) => until(() => (comments.includes(text) ? true : undefined), timeoutMs, `":${text}"`).then(() => undefined),
    close: () => controller.abort(),
  };
}

export const commentEvent = (id: string, type: string) => (frame: SseFrame): boolean =>
  frame.event === 'comment' && frame.data === JSON.stringify({ id, type });
