import { randomUUID } from 'node:crypto';

export const STRONG_PASSWORD = 'lantern-orchard-velvet-42';

export function uniqueEmail(label = 'reader'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}
