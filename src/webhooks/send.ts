import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isBlockedAddress, TargetRefused } from './targets';

export interface SendResult {
  status: number | null;
  /** The start of the answer's body, for the delivery log. */
  body: string;
  error: string | null;
}

const KEPT_BODY_BYTES = 1024;

/**
 * POSTs one signed delivery. Never follows redirects, gives up after timeoutMs, keeps the first
 * kilobyte of the answer, and connects only to addresses the SSRF guard allows.
 */
export function sendDelivery(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; allowPrivateTargets: boolean },
): Promise<SendResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      resolve({ status: null, body: '', error: 'invalid URL' });
      return;
    }
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivateTargets && isIP(literal) && isBlockedAddress(literal)) {
      resolve({ status: null, body: '', error: new TargetRefused(`${literal} is a refused address`).message });
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(options.allowPrivateTargets),
        timeout: options.timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < KEPT_BODY_BYTES) {
            chunks.push(chunk.subarray(0, KEPT_BODY_BYTES - kept));
            kept += Math.min(chunk.length, KEPT_BODY_BYTES - kept);
          }
        });
        response.on('end', () => resolve({ status: response.statusCode ?? null, body: Buffer.concat(chunks).toString('utf8'), error: null }));
        response.on('error', (err) => resolve({ status: response.statusCode ?? null, body: '', error: err.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    request.on('error', (err) => resolve({ status: null, body: '', error: err.message }));
    request.end(body);
  });
}
