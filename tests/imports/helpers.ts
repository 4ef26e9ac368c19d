import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import type { TestUser } from '../support/fixtures';

export interface ImportStatus {
  id: string;
  status: 'running' | 'done' | 'failed';
  processed: number;
  total?: number;
  error?: string;
  inserted: number;
  skipped: number;
  phase: string;
}

export const scratchDir = (): string => mkdtempSync(path.join(os.tmpdir(), 'threadline-import-'));

/** Uploads an export, expects 202 with a Location, and polls the job until it ends. */
export async function importOverHttp(app: Express, admin: TestUser, siteId: string, file: string, query: string): Promise<ImportStatus> {
  const started = await request(app)
    .post(`/api/v1/sites/${siteId}/imports?${query}`)
    .set('Authorization', `Bearer ${admin.token}`)
    .set('Content-Type', 'application/xml')
    .send(readFileSync(file));
  if (started.status !== 202) throw new Error(`expected 202, got ${started.status}: ${JSON.stringify(started.body)}`);
  const location = started.headers.location as string;
  if (location !== `/api/v1/sites/${siteId}/imports/${started.body.id}`) throw new Error(`unexpected Location ${location}`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await request(app).get(location).set('Authorization', `Bearer ${admin.token}`);
    if (res.status !== 200) throw new Error(`status read failed: ${res.status}`);
    const status = res.body as ImportStatus;
    if (status.status !== 'running') return status;
    if (Date.now() > deadline) throw new Error('the import did not finish in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
