/**
 * Normalises a browser origin ("https://News.Example:443/" -> "https://news.example").
 * Returns null for anything that is not a bare http(s) origin: paths, queries, credentials, other schemes.
 */
export function normalizeOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  if (url.pathname !== '/' && url.pathname !== '') return null;
  return url.origin;
}
