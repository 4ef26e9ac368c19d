/** True when a write was refused because a unique key (such as a claim's `_id`) already exists. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}
