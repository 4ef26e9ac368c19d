import type { Request, Response } from 'express';
import { HttpProblem } from '../http/problem';
import { openLiveStreams } from '../metrics/registry';

export interface LiveLimits {
  maxStreams: number;
  maxStreamsPerIp: number;
}

/**
 * Connection slots of one service instance for its long-lived answers (server-sent event streams and
 * waiting polls): bounded per client IP and per instance. Live threads and the moderation queue's
 * events share one set per instance.
 */
export class ConnectionSlots {
  private readonly perIp = new Map<string, number>();
  private open = 0;

  constructor(private readonly limits: LiveLimits) {}

  /** Open connections on this instance. */
  get connections(): number {
    return this.open;
  }

  /** Takes one slot for the IP; null when the IP or the instance is at its limit. The function returned frees it (once). */
  acquire(ip: string): (() => void) | null {
    const held = this.perIp.get(ip) ?? 0;
    if (this.open >= this.limits.maxStreams || held >= this.limits.maxStreamsPerIp) return null;
    this.perIp.set(ip, held + 1);
    this.open += 1;
    openLiveStreams.inc();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open -= 1;
      openLiveStreams.dec();
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left > 0) this.perIp.set(ip, left);
      else this.perIp.delete(ip);
    };
  }
}

export function tooManyStreams(detail = 'Too many live connections; the thread still reloads normally.'): HttpProblem {
  return new HttpProblem(429, 'Too Many Requests', detail, {
    slug: 'too-many-streams',
    headers: { 'Retry-After': '30' },
  });
}

/**
 * Answers with a server-sent event stream: headers that keep proxies from buffering it, a `ready`
 * event with `ready`'s data, a heartbeat comment every `heartbeatSeconds`. Returns the writer; `onEnd`
 * runs once when the client goes away.
 */
export function openEventStream(
  req: Request,
  res: Response,
  options: { heartbeatSeconds: number; ready: unknown; onEnd: () => void },
): (frame: string) => void {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    // nginx and similar proxies pass the stream through instead of buffering it.
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
  });
  res.flushHeaders();
  const write = (frame: string): void => {
    res.write(frame);
  };
  write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify(options.ready)}\n\n`);
  const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatSeconds * 1000);
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    options.onEnd();
  };
  req.on('close', end);
  res.on('close', end);
  return write;
}

/** One SSE frame. */
export function sseFrame(event: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
