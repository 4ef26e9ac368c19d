/**
 * Text normalisation for the word filter: one pass over the original text that folds every code
 * point (case, accents, confusables, zero-width characters) and cuts the result into word tokens
 * that remember where they came from, so that matches can point back into the original text.
 */

/** Characters that render as nothing; they are skipped without ending a word (`fu\u200Bck`). */
const INVISIBLE = new Set(['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u180E']);

/** Letters from other scripts that look like Latin ones, after lower-casing. */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w', ь: 'b',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  // Latin look-alikes that NFKD leaves alone
  ı: 'i', ł: 'l', ƒ: 'f', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe',
};

/** Digits and symbols read as letters inside words; `1` could be either `i` or `l`. */
export const LEET: Record<string, string[]> = {
  '0': ['o'],
  '1': ['i', 'l'],
  '3': ['e'],
  '4': ['a'],
  '5': ['s'],
  '7': ['t'],
  '@': ['a'],
  $: ['s'],
  '!': ['i'],
  '+': ['t'],
};
const LEET_SYMBOLS = new Set(['@', '$', '!', '+']);
const APOSTROPHES = new Set(["'", '\u2019', '\u02BC']);

const foldCache = new Map<string, string>();
/** Printable ASCII folds to itself, lower-cased: no lookup needed for most text. */
const ASCII_FOLDED: string[] = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code).toLowerCase());

/** Folds one code point to lower-case unaccented Latin where it can; '' for invisible characters and marks. */
export function foldChar(char: string): string {
  if (char.length === 1 && char.charCodeAt(0) < 128) return ASCII_FOLDED[char.charCodeAt(0)];
  const cached = foldCache.get(char);
  if (cached !== undefined) return cached;
  let folded = '';
  if (!INVISIBLE.has(char)) {
    const decomposed = char.normalize('NFKC').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\p{M}/gu, '');
    for (const piece of decomposed) folded += CONFUSABLES[piece] ?? piece;
  }
  if (foldCache.size < 50_000) foldCache.set(char, folded);
  return folded;
}

type CharKind = 'letter' | 'digit' | 'symbol' | 'separator';

const kindCache = new Map<string, CharKind>();

function kindOf(folded: string): CharKind {
  const cached = kindCache.get(folded);
  if (cached) return cached;
  let kind: CharKind = 'separator';
  if (/^\p{L}$/u.test(folded)) kind = 'letter';
  else if (folded >= '0' && folded <= '9') kind = 'digit';
  else if (LEET_SYMBOLS.has(folded)) kind = 'symbol';
  if (kindCache.size < 50_000) kindCache.set(folded, kind);
  return kind;
}

/** A word of the text: its folded characters and, for each, the original offsets it came from. */
export interface Token {
  chars: string[];
  starts: number[];
  ends: number[];
  /** True when the token has a letter or a leet symbol; a bare number is never read as letters. */
  wordLike: boolean;
  start: number;
  end: number;
}

function finishToken(token: Token): Token | null {
  // A trailing or leading "!" is punctuation ("great!"), not a letter.
  let first = 0;
  let last = token.chars.length - 1;
  while (first <= last && token.chars[first] === '!') first += 1;
  while (last >= first && token.chars[last] === '!') last -= 1;
  if (first > last) return null;
  const chars = token.chars.slice(first, last + 1);
  const starts = token.starts.slice(first, last + 1);
  const ends = token.ends.slice(first, last + 1);
  const wordLike = chars.some((c) => kindOf(c) !== 'digit');
  return { chars, starts, ends, wordLike, start: starts[0], end: ends[ends.length - 1] };
}

/** Cuts the text into tokens in a single pass. Offsets are UTF-16 indexes into the original text. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let current: Token | null = null;
  let offset = 0;
  const close = (): void => {
    if (current) {
      const finished = finishToken(current);
      if (finished) tokens.push(finished);
      current = null;
    }
  };
  for (const char of text) {
    const start = offset;
    offset += char.length;
    const folded = foldChar(char);
    if (folded === '') continue;
    // "don't" stays one word: an apostrophe neither ends nor joins anything.
    if (APOSTROPHES.has(folded)) continue;
    for (const piece of folded.length === 1 ? [folded] : folded) {
      const kind = kindOf(piece);
      if (kind === 'separator') {
        close();
        continue;
      }
      if (!current) current = { chars: [], starts: [], ends: [], wordLike: false, start, end: offset };
      current.chars.push(piece);
      current.starts.push(start);
      current.ends.push(offset);
    }
  }
  close();
  return tokens;
}

/** Collapses runs of one character to at most `max` (`fuuuck` -> `fuck` or `fuuck`). */
export function hasRepeats(word: string): boolean {
  for (let i = 1; i < word.length; i += 1) if (word[i] === word[i - 1]) return true;
  return false;
}

export function collapseRuns(word: string, max: 1 | 2): string {
  let out = '';
  let run = 0;
  let previous = '';
  for (const char of word) {
    run = char === previous ? run + 1 : 1;
    previous = char;
    if (run <= max) out += char;
  }
  return out;
}

/** Every letter reading of a token's characters (digits and symbols via LEET), at most `limit` of them. */
export function letterReadings(chars: readonly string[], limit = 8): string[] {
  if (!chars.some((c) => c in LEET)) return [chars.join('')];
  let readings = [''];
  for (const char of chars) {
    const options = LEET[char] ?? [char];
    if (options.length === 1 || readings.length * options.length > limit) {
      const only = options[0];
      readings = readings.map((r) => r + only);
    } else {
      readings = readings.flatMap((r) => options.map((o) => r + o));
    }
  }
  return readings;
}
