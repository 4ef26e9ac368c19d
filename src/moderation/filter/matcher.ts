import { collapseRuns, foldChar, hasRepeats, letterReadings, tokenize, type Token } from './normalize';

export type WordListName = 'profanity' | 'banned' | 'suspect';

/** One listed word found in a text; `start`/`end` are offsets into the original text, `match` its slice. */
export interface WordMatch {
  word: string;
  match: string;
  start: number;
  end: number;
  list: WordListName;
}

interface Entry {
  word: string;
  list: WordListName;
}

/** Stems so strong that they count at either end of a compound ("bullshit", "fuckwit"), for the profanity list only. */
const STRONG_STEMS = ['fuck', 'shit'];
/** Longest run of single letters tested as one word ("f u c k i n g"). */
const MAX_SPELLED_RUN = 24;
const MAX_PHRASE_TOKENS = 4;
/** Characters allowed between spelled-out letters: spaces and punctuation, no line breaks. */
const SPELLING_GAP = /^[^\S\n]{0,2}[^\p{L}\p{N}\s]{0,2}[^\S\n]{0,2}$/u;
const PHRASE_GAP = /^[\s\-_]{1,3}$/u;

/** The letters-only key of a listed word or phrase, in every reading of its digits ("cl1t"). */
function entryKeys(word: string): string[] {
  const chars: string[] = [];
  for (const char of word) {
    for (const piece of foldChar(char)) {
      if (/\p{L}/u.test(piece) || (piece >= '0' && piece <= '9') || '@$!+'.includes(piece)) chars.push(piece);
    }
  }
  if (chars.length === 0) return [];
  return letterReadings(chars);
}

/**
 * Looks words up in sets built once per word list version; a text is folded and tokenised in one
 * pass and every token (and run of spelled-out letters, and short phrase) is one set lookup per form.
 */
export class WordMatcher {
  private readonly entries = new Map<string, Entry[]>();
  private readonly phraseKeys = new Set<string>();
  /** The first word of every listed phrase, so that most tokens skip the phrase search at once. */
  private readonly phraseHeads = new Set<string>();
  private readonly strongStems: Entry[] = [];

  constructor(lists: Partial<Record<WordListName, readonly string[]>>) {
    for (const [list, words] of Object.entries(lists) as [WordListName, readonly string[]][]) {
      for (const word of words) this.add(word, list);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private add(rawWord: string, list: WordListName): void {
    // The base list marks substrings with "*" and ends some entries with ";"; whole words are what we match.
    const word = rawWord.replace(/[*;]/g, '').trim();
    if (!word) return;
    const isPhrase = /[\s\-_.]/.test(word);
    if (isPhrase) {
      const head = word.split(/[\s\-_.]+/)[0];
      for (const key of entryKeys(head)) this.phraseHeads.add(collapseRuns(key, 2));
    }
    for (const key of entryKeys(word)) {
      if (key.length < 2) continue;
      const existing = this.entries.get(key) ?? [];
      const sameList = existing.findIndex((e) => e.list === list);
      // Report the plainest spelling of a word ("fuck", not "f u c k" or "Fu(*").
      if (sameList < 0) existing.push({ word, list });
      else if (word.toLowerCase() === key) existing[sameList] = { word: word.toLowerCase(), list };
      this.entries.set(key, existing);
      if (isPhrase) this.phraseKeys.add(key);
    }
    if (list === 'profanity' && STRONG_STEMS.includes(word.toLowerCase())) this.strongStems.push({ word, list });
  }

  /** The entries a key matches, trying the key as written and with repeated letters collapsed. */
  private lookup(readings: readonly string[], allowStems: boolean): Entry[] | null {
    for (const reading of readings) {
      const found = this.entries.get(reading);
      if (found) return found;
      if (!hasRepeats(reading)) continue;
      const collapsed = this.entries.get(collapseRuns(reading, 2)) ?? this.entries.get(collapseRuns(reading, 1));
      if (collapsed) return collapsed;
    }
    if (allowStems && this.strongStems.length > 0) {
      for (const reading of readings) {
        // Letters are collapsed to one only when stretched on purpose ("fuuuckface"): "shiitake" keeps its "ii".
        const twice = collapseRuns(reading, 2);
        const collapsed = twice === reading ? twice : collapseRuns(reading, 1);
        // Only as the head or tail of a compound: "Matsushita" has the letters in its middle.
        const stems = this.strongStems.filter((s) => {
          const stem = s.word.toLowerCase();
          return collapsed.startsWith(stem) || collapsed.endsWith(stem);
        });
        if (stems.length > 0) return stems;
      }
    }
    return null;
  }

  /** Every listed word in the text, leftmost-longest, without overlaps within one list. */
  find(text: string): WordMatch[] {
    if (this.entries.size === 0) return [];
    const tokens = tokenize(text);
    const found: WordMatch[] = [];
    const emit = (entries: Entry[], start: number, end: number): void => {
      for (const entry of entries) {
        found.push({ word: entry.word, match: text.slice(start, end), start, end, list: entry.list });
      }
    };

    for (let i = 0; i < tokens.length; i += 1) {
      const token = tokens[i];
      if (!token.wordLike) continue;
      const readings = letterReadings(token.chars);
      const entries = this.lookup(readings, true);
      if (entries) emit(entries, token.start, token.end);
    }
    this.findSpelledRuns(text, tokens, emit);
    this.findPhrases(text, tokens, emit);
    return dropOverlaps(found);
  }

  /** "f.u.c.k", "s h i t": runs of one-character tokens, tested as joined words. */
  private findSpelledRuns(text: string, tokens: Token[], emit: (e: Entry[], s: number, t: number) => void): void {
    let i = 0;
    while (i < tokens.length) {
      let j = i;
      while (
        j < tokens.length &&
        j - i < MAX_SPELLED_RUN &&
        tokens[j].chars.length === 1 &&
        tokens[j].wordLike &&
        (j === i || SPELLING_GAP.test(text.slice(tokens[j - 1].end, tokens[j].start)))
      ) {
        j += 1;
      }
      const runLength = j - i;
      if (runLength >= 3) {
        // Longest window first, so "f u c k e r" reports "fucker", not "fuck".
        let start = i;
        while (start <= j - 3) {
          let matchedEnd = -1;
          for (let end = j; end - start >= 3; end -= 1) {
            const chars = tokens.slice(start, end).map((t) => t.chars[0]);
            const entries = this.lookup(letterReadings(chars), false);
            if (entries) {
              emit(entries, tokens[start].start, tokens[end - 1].end);
              matchedEnd = end;
              break;
            }
          }
          start = matchedEnd > 0 ? matchedEnd : start + 1;
        }
      }
      i = Math.max(j, i + 1);
    }
  }

  /** Listed phrases ("blow job") across two to four adjacent words. */
  private findPhrases(text: string, tokens: Token[], emit: (e: Entry[], s: number, t: number) => void): void {
    if (this.phraseKeys.size === 0) return;
    for (let i = 0; i < tokens.length; i += 1) {
      let chars = tokens[i].chars;
      if (!letterReadings(chars).some((r) => this.phraseHeads.has(collapseRuns(r, 2)))) continue;
      for (let j = i + 1; j < tokens.length && j - i < MAX_PHRASE_TOKENS; j += 1) {
        if (!PHRASE_GAP.test(text.slice(tokens[j - 1].end, tokens[j].start))) break;
        chars = chars.concat(tokens[j].chars);
        const readings = letterReadings(chars);
        const hit = readings.map((r) => collapseRuns(r, 2)).find((r) => this.phraseKeys.has(r) || this.phraseKeys.has(collapseRuns(r, 1)));
        if (hit) {
          const entries = this.entries.get(hit) ?? this.entries.get(collapseRuns(hit, 1));
          if (entries) emit(entries, tokens[i].start, tokens[j].end);
        }
      }
    }
  }
}

/** Keeps, per list, the earliest and then longest of overlapping matches. */
function dropOverlaps(matches: WordMatch[]): WordMatch[] {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: WordMatch[] = [];
  const reachedByList = new Map<WordListName, number>();
  for (const match of sorted) {
    const reached = reachedByList.get(match.list) ?? -1;
    if (match.start < reached) continue;
    kept.push(match);
    reachedByList.set(match.list, match.end);
  }
  return kept;
}
