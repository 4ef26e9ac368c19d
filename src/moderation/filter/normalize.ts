/**
 * Character folding for the word filter. Every UTF-16 code unit (and, on the rare path, every astral
 * code point) is described once: what it reads as (lower-case unaccented Latin letters, a leet digit's
 * letters, a mask) or what kind of separator it is. The matcher turns these descriptions into a
 * per-code-unit class table, so that reading a comment never folds a string.
 */

/** Characters that render as nothing; they are skipped without ending a word (`fu\u200Bck`). */
const INVISIBLE = new Set([0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0x00ad, 0x180e, 0x034f]);

/** Letters from other scripts that look like Latin ones, after lower-casing. */
const CONFUSABLES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w', ь: 'b',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
  μ: 'u', ϲ: 'c',
  // Latin look-alikes that NFKD leaves alone, small capitals among them
  ı: 'i', ł: 'l', ƒ: 'f', ʃ: 'f', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ɑ: 'a', ɡ: 'g',
  ᴀ: 'a', ʙ: 'b', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ꜰ: 'f', ɢ: 'g', ʜ: 'h', ɪ: 'i', ᴊ: 'j', ᴋ: 'k', ʟ: 'l', ᴍ: 'm',
  ɴ: 'n', ᴏ: 'o', ᴘ: 'p', ʀ: 'r', ꜱ: 's', ᴛ: 't', ᴜ: 'u', ᴠ: 'v', ᴡ: 'w', ʏ: 'y', ᴢ: 'z',
};

/** A marker letter: a masking symbol stands for one hidden letter inside a word (`f*ck`, `sh#t`). */
export const MASK = '\u0001';
/** A marker letter: the gap between the words of a listed phrase (`blow job`). */
export const GAP = '\u0002';

/** Digits and symbols read as letters inside words; `1` could be either `i` or `l`; `@` may also be a mask. */
const LEET: Record<string, string[]> = {
  '0': ['o'],
  '1': ['i', 'l'],
  '3': ['e'],
  '4': ['a'],
  '5': ['s'],
  '7': ['t'],
  '@': ['a', MASK],
  $: ['s'],
  '!': ['i'],
  '+': ['t'],
  '*': [MASK],
  '#': [MASK],
};
/** Symbols that are part of a word inside it but punctuation at its edges (`great!`, `**bold**`, `#tag`). */
const EDGE_SYMBOLS = new Set(['!', '*', '#']);
const APOSTROPHES = new Set([0x27, 0x2019, 0x02bc]);

export const CharKind = {
  /** Ends a word; horizontal white space. */
  Space: 0,
  /** Ends a word; a line break (a spelled-out word never spans one). */
  Newline: 1,
  /** Ends a word; `-` or `_`, which may also sit between the words of a phrase. */
  Joiner: 2,
  /** Ends a word; any other punctuation or symbol. */
  Punct: 3,
  /** Read as nothing: invisible characters, combining marks, apostrophes (`don't` stays one word). */
  Skip: 4,
  /** Part of a word. */
  Word: 5,
} as const;
export type CharKind = (typeof CharKind)[keyof typeof CharKind];

/** What one character reads as. `readings` are alternative letter strings (`1` reads `i` or `l`, `ß` reads `ss`). */
export interface CharInfo {
  kind: CharKind;
  readings: readonly string[];
  /** A digit: a word of digits alone is a number, never a listed word. */
  digit: boolean;
  /** `!`, `*`, `#`: dropped at either end of a word. */
  edge: boolean;
}

const SEPARATOR_INFO: Record<number, CharInfo> = {};
function separator(kind: CharKind): CharInfo {
  SEPARATOR_INFO[kind] ??= { kind, readings: [], digit: false, edge: false };
  return SEPARATOR_INFO[kind];
}

const LETTERS_ONLY = /^\p{L}+$/u;
const IS_LETTER = /^\p{L}$/u;
const IS_SPACE = /^\s$/u;

function fold(char: string): string {
  let folded = '';
  const decomposed = char.normalize('NFKC').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\p{M}/gu, '');
  for (const piece of decomposed) folded += CONFUSABLES[piece] ?? piece;
  return folded;
}

/** Describes one code point. Called once per distinct character, never while reading a comment. */
export function describeChar(codePoint: number): CharInfo {
  if (INVISIBLE.has(codePoint) || APOSTROPHES.has(codePoint)) return separator(CharKind.Skip);
  if (codePoint === 0x0a || codePoint === 0x0d || codePoint === 0x2028 || codePoint === 0x2029) return separator(CharKind.Newline);
  const char = String.fromCodePoint(codePoint);
  if (/^\p{M}$/u.test(char)) return separator(CharKind.Skip);
  if (IS_SPACE.test(char)) return separator(CharKind.Space);
  const folded = fold(char);
  if (folded.length === 1 && folded >= '0' && folded <= '9') {
    return { kind: CharKind.Word, readings: LEET[folded] ?? [], digit: true, edge: false };
  }
  if (folded.length === 1 && LEET[folded]) {
    return { kind: CharKind.Word, readings: LEET[folded], digit: false, edge: EDGE_SYMBOLS.has(folded) };
  }
  // A single letter whatever the source (full-width, circled, mathematical); several only from a letter (ß, æ, ligatures).
  if (folded !== '' && LETTERS_ONLY.test(folded) && ([...folded].length === 1 || IS_LETTER.test(char))) {
    return { kind: CharKind.Word, readings: [folded], digit: false, edge: false };
  }
  if (folded === '-' || folded === '_') return separator(CharKind.Joiner);
  if (folded === '') return separator(CharKind.Skip);
  return separator(CharKind.Punct);
}

/** Every UTF-16 code unit described once, on first use (surrogates are read in pairs by the matcher). */
let codeUnitInfo: CharInfo[] | null = null;
export function codeUnitInfos(): readonly CharInfo[] {
  if (!codeUnitInfo) {
    codeUnitInfo = new Array<CharInfo>(0x10000);
    for (let code = 0; code < 0x10000; code += 1) {
      codeUnitInfo[code] = code >= 0xd800 && code < 0xe000 ? separator(CharKind.Punct) : describeChar(code);
    }
  }
  return codeUnitInfo;
}

/**
 * The letter readings of a listed word or phrase: each character's readings, `GAP` for a space or
 * joiner between words. Characters that read as nothing (dots in "s.o.b.", punctuation) are left out.
 */
export function wordPattern(word: string): string[][] {
  const pattern: string[][] = [];
  const infos = codeUnitInfos();
  for (const char of word) {
    const code = char.codePointAt(0) ?? 0;
    const info = code < 0x10000 ? infos[code] : describeChar(code);
    if (info.kind === CharKind.Space || info.kind === CharKind.Joiner) {
      if (pattern.length > 0 && pattern[pattern.length - 1][0] !== GAP) pattern.push([GAP]);
      continue;
    }
    if (info.kind !== CharKind.Word) continue;
    // Masks belong to texts, not lists: "Fu(*" in a list is the letters "fu".
    const readings = info.readings.filter((r) => r !== MASK);
    if (readings.length === 0) continue;
    for (const reading of readings.length === 1 ? [...readings[0]].map((l) => [l]) : [readings]) pattern.push(reading);
  }
  while (pattern.length > 0 && pattern[pattern.length - 1][0] === GAP) pattern.pop();
  return pattern;
}

/** Collapses runs of one character to at most `max` (`fuuuck` -> `fuck` or `fuuck`). */
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
