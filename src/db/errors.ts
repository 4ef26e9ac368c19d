/** True when a write was refused because a unique key (such as a claim's `_id`) already exists. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * Runs an upsert, and once more when a simultaneous upsert of the same `_id` won the insert: MongoDB
 * retries that case itself, FerretDB reports a duplicate key, and the second try updates the document
 * that now exists.
 */
export async function upsertWithRetry<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return upsert();
  }
}
