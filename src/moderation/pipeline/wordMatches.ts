import { siteMatcher, type WordListName, type WordMatch } from '../filter';
import type { ModerationContext, ModerationReason } from './types';

/** The word phases share one scan of the body per run. */
const scans = new WeakMap<ModerationContext, WordMatch[]>();

export function wordMatches(context: ModerationContext, list: WordListName): WordMatch[] {
  let matches = scans.get(context);
  if (!matches) {
    matches = siteMatcher({ ...context.site, id: context.site.id }).find(context.body);
    scans.set(context, matches);
  }
  return matches.filter((m) => m.list === list);
}

/** The distinct listed words, comma-separated, for a reason's detail. */
export function describeWords(matches: readonly WordMatch[]): string {
  return [...new Set(matches.map((m) => m.word))].join(', ');
}

/** A word reason: the words for people, and each match's offsets in the body for the moderator console to mark. */
export function wordReason<const Code extends string>(code: Code, matches: readonly WordMatch[]): ModerationReason<Code> {
  return { code, detail: describeWords(matches), matches: matches.map(({ start, end }) => ({ start, end })) };
}
