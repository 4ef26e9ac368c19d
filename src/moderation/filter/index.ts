import { BASE_PROFANITY } from './baseList';
import { WordMatcher, type WordMatch } from './matcher';

export { WordMatcher, type WordMatch, type WordListName, type WordLists } from './matcher';
export { BASE_PROFANITY } from './baseList';

let baseMatcher: WordMatcher | null = null;

/** The matcher for the base profanity list alone, built on first use. */
export function baseProfanityMatcher(): WordMatcher {
  baseMatcher ??= new WordMatcher({ profanity: BASE_PROFANITY });
  return baseMatcher;
}

interface SiteWords {
  id: string;
  wordListVersion: number;
  settings: { bannedWords: readonly string[]; suspectWords: readonly string[]; allowedPhrases?: readonly string[] };
}

/** One matcher per site, replaced when the site's word list version changes. */
const siteMatchers = new Map<string, { version: string; matcher: WordMatcher }>();
/** A site's automaton is a few hundred KB: keep the most recently used sites only. */
const MAX_CACHED_SITES = 100;

/**
 * Base list plus the site's banned and suspect words and allowed phrases, built once per
 * (site, wordListVersion).
 */
export function siteMatcher(site: SiteWords): WordMatcher {
  const { bannedWords, suspectWords } = site.settings;
  const allowedPhrases = site.settings.allowedPhrases ?? [];
  if (bannedWords.length === 0 && suspectWords.length === 0 && allowedPhrases.length === 0) return baseProfanityMatcher();
  // The list sizes guard against a settings change that forgot to bump the version.
  const version = `${site.wordListVersion}:${bannedWords.length}:${suspectWords.length}:${allowedPhrases.length}`;
  const cached = siteMatchers.get(site.id);
  if (cached) siteMatchers.delete(site.id);
  if (cached && cached.version === version) {
    // Re-inserted, so the map's first key is always the site used longest ago.
    siteMatchers.set(site.id, cached);
    return cached.matcher;
  }
  const matcher = new WordMatcher({ profanity: BASE_PROFANITY, banned: bannedWords, suspect: suspectWords, allowed: allowedPhrases });
  if (siteMatchers.size >= MAX_CACHED_SITES) {
    const oldest = siteMatchers.keys().next().value;
    if (oldest !== undefined) siteMatchers.delete(oldest);
  }
  siteMatchers.set(site.id, { version, matcher });
  return matcher;
}

/** Forgets cached site matchers (for tests that change word lists without bumping the version). */
export function clearSiteMatchers(): void {
  siteMatchers.clear();
}

/** Finds every listed word for a site in a text. */
export function findListedWords(site: SiteWords, text: string): WordMatch[] {
  return siteMatcher(site).find(text);
}
