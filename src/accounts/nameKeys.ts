/**
 * Name search by equality. FerretDB cannot serve a regex or a prefix from an index, but it pushes down a
 * top-level equality, and `{nameKeys: "ror"}` on an array field is `_jsonb->'nameKeys' @> '"ror"'`, which
 * PostgreSQL answers from a GIN index (an array contains the value). So every user stores the prefixes of
 * the words of their name, lower-cased and without accents; a search looks up its longest word and checks
 * the others among the matches.
 */

/** Prefixes are kept up to this length; a longer query word is looked up by its first NAME_KEY_MAX characters. */
export const NAME_KEY_MAX = 24;
/** Words of a name that get keys (names are short; this bounds the array). */
const MAX_WORDS = 6;

/** The words of a name or a query: lower-cased, accents dropped, split at anything not a letter or digit. */
export function nameWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Every prefix of every word of the name: what a search can look up. */
export function nameKeys(displayName: string): string[] {
  const keys = new Set<string>();
  for (const word of nameWords(displayName).slice(0, MAX_WORDS)) {
    for (let length = 1; length <= Math.min(word.length, NAME_KEY_MAX); length += 1) keys.add(word.slice(0, length));
  }
  return [...keys];
}

/** The key a query is looked up by (its longest word, cut to NAME_KEY_MAX), or null for a query without words. */
export function lookupKey(query: string): string | null {
  const words = nameWords(query);
  if (words.length === 0) return null;
  return words.reduce((a, b) => (b.length > a.length ? b : a)).slice(0, NAME_KEY_MAX);
}

/** Whether each word of the query begins a word of the name. */
export function nameMatches(displayName: string, query: string): boolean {
  const words = nameWords(displayName);
  return nameWords(query).every((q) => words.some((w) => w.startsWith(q)));
}
