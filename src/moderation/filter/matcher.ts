import {
  CLASS_HIGH_SURROGATE,
  CLASS_JOINER,
  CLASS_NEWLINE,
  CLASS_PUNCT,
  CLASS_SKIP,
  CLASS_SPACE,
  compile,
  DEAD,
  EDGE,
  FIRST_WORD_CLASS,
  MASKING,
  type Automaton,
  type PatternInput,
} from './automaton';
import { isUsedAsName, NAME_WORDS } from './names';
import { GAP, wordPattern } from './normalize';

export type WordListName = 'profanity' | 'banned' | 'suspect';

/** The lists a matcher is built from; `allowed` phrases are never reported and silence matches inside them. */
export type WordLists = Partial<Record<WordListName | 'allowed', readonly string[]>>;

/** One listed word found in a text; `start`/`end` are UTF-16 offsets into the original text (end exclusive), `match` its slice. */
export interface WordMatch {
  word: string;
  match: string;
  start: number;
  end: number;
  list: WordListName;
}

interface Entry {
  word: string;
  list: WordListName | 'allowed';
  /** Also a common name: see names.ts. */
  name: boolean;
  rank: number;
}

/**
 * Stems so strong that they count at either end of a compound ("bullshit", "fuckwit"), or anywhere
 * inside a word ("wordsbeforefuckandafter": no English word holds it), for the profanity list only.
 * "shit" only at the ends: Matsushita and Hitoshi hold its letters in the middle.
 */
const STRONG_STEMS = new Map<string, 'ends' | 'anywhere'>([
  ['fuck', 'anywhere'],
  ['shit', 'ends'],
]);
/** Longest run of single letters tested as one word ("f u c k i n g"). */
const MAX_SPELLED_RUN = 24;
/** Characters allowed between the words of a phrase ("blow  job", "blow-job"). */
const MAX_PHRASE_GAP = 3;
/** Between spelled-out letters: up to two spaces, two punctuation marks, two spaces ("f . u . c . k"). */
const MAX_SPELLING_GAP_PART = 2;

/** How a raw hit was found. */
const FOUND_WORD = 0;
const FOUND_SPELLED = 1;
const FOUND_PHRASE = 2;

/**
 * Finds listed words in one pass over a text with an automaton built once per word list version
 * (see automaton.ts). Whole words only: Scunthorpe, assassin and classic pass. Besides whole words it
 * reads runs of spelled-out letters ("f.u.c.k") and phrases across a short gap ("blow job").
 */
export class WordMatcher {
  private readonly entries: Entry[] = [];
  private readonly automaton: Automaton;
  private readonly digitClass: Uint8Array;
  /** Per state: 1 when a word ending here matches or may go on as a phrase; most words end in a 0. */
  private readonly wordEnds: Uint8Array;
  /** Scratch space for a run of spelled-out letters. */
  private readonly runStarts = new Int32Array(MAX_SPELLED_RUN);
  private readonly runEnds = new Int32Array(MAX_SPELLED_RUN);
  private readonly runClasses = new Int32Array(MAX_SPELLED_RUN);

  constructor(lists: WordLists) {
    const patterns: PatternInput[] = [];
    /** One reported spelling per list and letters ("sh1t" and "Sh!t" report "shit"). */
    const spelling = new Map<string, number>();
    for (const [list, words] of Object.entries(lists) as [Entry['list'], readonly string[]][]) {
      for (const rawWord of words) {
        // The base list marks substrings with "*" and ends some entries with ";"; whole words are what we match.
        const word = rawWord.replace(/[*;]/g, '').trim().toLowerCase();
        const pattern = wordPattern(word);
        const letters = pattern.filter((p) => p[0] !== GAP).map((p) => p[0]).join('');
        if (letters.length < 2) continue;
        const plainRank = /^[a-z]+$/.test(word) ? 0 : /^[\p{L} ]+$/u.test(word) ? 1 : 2;
        const key = `${list}:${letters}`;
        const rank = plainRank * 1000 + word.length;
        let id = spelling.get(key);
        if (id === undefined) {
          id = this.entries.push({ word, list, name: NAME_WORDS.has(word), rank }) - 1;
          spelling.set(key, id);
        } else if (rank < this.entries[id].rank) {
          this.entries[id] = { word, list, name: NAME_WORDS.has(word), rank };
        }
        patterns.push({ pattern, entry: id, stem: list === 'profanity' ? STRONG_STEMS.get(word) : undefined });
      }
    }
    this.automaton = compile(
      patterns,
      (id) => this.entries[id].rank,
      (id) => this.entries[id].list,
    );
    this.digitClass = Uint8Array.from(this.automaton.classes.classes, (c) => (c.digit ? 1 : 0));
    const { acceptWord, gapNext } = this.automaton;
    this.wordEnds = Uint8Array.from(acceptWord, (out, state) => (out >= 0 || gapNext[state] !== DEAD ? 1 : 0));
  }

  /** Number of states of the automaton (for tests and the benchmark). */
  get states(): number {
    return this.automaton.stateCount;
  }

  /** Every listed word in the text, earliest and then longest first, without overlaps within one list. */
  find(text: string): WordMatch[] {
    const { next, acceptWord, acceptSpelled, gapNext, classCount, start } = this.automaton;
    const table = this.automaton.classes.byCodeUnit;
    const edge = this.automaton.classes.edge;
    const wordEnds = this.wordEnds;
    const length = text.length;
    let hits: number[] | null = null;

    let tokenStart = -1;
    let tokenClass = 0;
    let state = start;
    let masked = false;
    // The last run of "!", "*" or "#" inside a word, and the word as it stood before it ("great!!").
    let edgeRunEnd = -1;
    let edgeStart = 0;
    let edgeState = DEAD;
    let edgePhrase = DEAD;
    // A phrase in progress: its state after the words so far, and where it began.
    let phrase = DEAD;
    let phraseStart = 0;
    let phraseGap = 0;
    // A run of spelled-out letters, and the gap since its last letter.
    let run = 0;
    let gapOk = false;
    let gapPart = 0;
    let gapCount = 0;

    for (let i = 0; i <= length; i += 1) {
      const charStart = i;
      let cls = i < length ? table[text.charCodeAt(i)] : CLASS_NEWLINE;
      if (cls === CLASS_HIGH_SURROGATE) cls = this.astralClass(text, i++);
      if (cls >= FIRST_WORD_CLASS) {
        const flags = edge[cls];
        if (flags === 0) {
          // The hot path: a letter or digit.
          if (tokenStart < 0) {
            tokenStart = charStart;
            tokenClass = cls;
            state = start;
            masked = false;
          }
          state = next[state * classCount + cls];
          if (phrase !== DEAD) phrase = next[phrase * classCount + cls];
          continue;
        }
        if (tokenStart >= 0 || (flags & EDGE) === 0) {
          if (tokenStart < 0) {
            tokenStart = charStart;
            tokenClass = cls;
            state = start;
            masked = false;
          }
          if ((flags & MASKING) !== 0) masked = true;
          if ((flags & EDGE) !== 0) {
            if (edgeRunEnd !== charStart) {
              edgeStart = charStart;
              edgeState = state;
              edgePhrase = phrase;
            }
            edgeRunEnd = i + 1;
          }
          state = next[state * classCount + cls];
          if (phrase !== DEAD) phrase = next[phrase * classCount + cls];
          continue;
        }
        // "!", "*" or "#" before a word is punctuation.
        cls = CLASS_PUNCT;
      } else if (cls === CLASS_SKIP) {
        continue;
      }

      if (tokenStart >= 0) {
        // A word ended (less any trailing "!", "*", "#"): report it, carry a phrase on, extend or end a spelled run.
        let coreState = state;
        let phraseCore = phrase;
        let coreEnd = charStart;
        if (edgeRunEnd === charStart) {
          coreState = edgeState;
          phraseCore = edgePhrase;
          coreEnd = edgeStart;
        }
        if (wordEnds[coreState] !== 0 || masked || phrase !== DEAD) {
          let out = acceptWord[coreState];
          if (out < 0 && masked) out = this.maskedWord(text, tokenStart, coreEnd);
          if (out >= 0) (hits ??= []).push(FOUND_WORD, out, tokenStart, coreEnd);
          if (phrase !== DEAD) {
            const phraseOut = acceptSpelled[phraseCore];
            if (phraseOut >= 0) (hits ??= []).push(FOUND_PHRASE, phraseOut, phraseStart, coreEnd);
            phrase = gapNext[phraseCore];
            phraseGap = 0;
          }
          if (phrase === DEAD && gapNext[coreState] !== DEAD) {
            phrase = gapNext[coreState];
            phraseStart = tokenStart;
            phraseGap = 0;
          }
        }
        const span = coreEnd - tokenStart;
        const single = span === 1 || (span === 2 && table[text.charCodeAt(tokenStart)] === CLASS_HIGH_SURROGATE);
        if (single && this.digitClass[tokenClass] === 0) {
          if (run === 0 || !gapOk || run === MAX_SPELLED_RUN) {
            if (run >= 3) hits = this.spelledRun(run, hits);
            run = 0;
          }
          this.runStarts[run] = tokenStart;
          this.runEnds[run] = coreEnd;
          this.runClasses[run] = tokenClass;
          run += 1;
          gapOk = true;
          gapPart = 0;
          gapCount = 0;
        } else if (run > 0) {
          if (run >= 3) hits = this.spelledRun(run, hits);
          run = 0;
        }
        tokenStart = -1;
      }

      if (phrase !== DEAD) {
        phraseGap += 1;
        if (phraseGap > MAX_PHRASE_GAP || (cls !== CLASS_SPACE && cls !== CLASS_NEWLINE && cls !== CLASS_JOINER)) phrase = DEAD;
      }
      if (run > 0 && gapOk) {
        // Spaces, then punctuation, then spaces, at most two of each, never a line break.
        if (cls === CLASS_SPACE) {
          if (gapPart === 1) {
            gapPart = 2;
            gapCount = 0;
          }
          gapCount += 1;
        } else if (cls === CLASS_NEWLINE) {
          gapOk = false;
        } else {
          if (gapPart === 2) gapOk = false;
          else if (gapPart === 0) {
            gapPart = 1;
            gapCount = 0;
          }
          gapCount += 1;
        }
        if (gapCount > MAX_SPELLING_GAP_PART) gapOk = false;
      }
    }
    if (run >= 3) hits = this.spelledRun(run, hits);
    return hits ? this.resolve(text, hits) : [];
  }

  /** The rare path for a word with a masking symbol inside (`f*ck`): its classes, read by the automaton's slow twin. */
  private maskedWord(text: string, start: number, end: number): number {
    const table = this.automaton.classes.byCodeUnit;
    const classes: number[] = [];
    for (let i = start; i < end; i += 1) {
      let cls = table[text.charCodeAt(i)];
      if (cls === CLASS_HIGH_SURROGATE) cls = this.astralClass(text, i++);
      if (cls >= FIRST_WORD_CLASS) classes.push(cls);
    }
    return this.automaton.maskedOutput(classes);
  }

  /** The class of the astral character at `i` (the rare path); a lone surrogate is punctuation. */
  private astralClass(text: string, i: number): number {
    const codePoint = text.codePointAt(i) ?? 0;
    return codePoint > 0xffff ? this.automaton.classes.astralClass(codePoint) : CLASS_PUNCT;
  }

  /** Longest listed word starting at each letter of a run of spelled-out letters, left to right. */
  private spelledRun(run: number, hits: number[] | null): number[] | null {
    const { next, acceptSpelled, classCount, start } = this.automaton;
    let from = 0;
    while (from <= run - 3) {
      let state = start;
      let best = -1;
      let bestOut = -1;
      for (let to = from; to < run; to += 1) {
        state = next[state * classCount + this.runClasses[to]];
        if (state === DEAD) break;
        if (to - from >= 2 && acceptSpelled[state] >= 0) {
          best = to;
          bestOut = acceptSpelled[state];
        }
      }
      if (best >= 0) {
        (hits ??= []).push(FOUND_SPELLED, bestOut, this.runStarts[from], this.runEnds[best]);
        from = best + 1;
      } else {
        from += 1;
      }
    }
    return hits;
  }

  /** Turns raw hits into matches: names and allowed phrases pass, overlaps within a list are dropped. */
  private resolve(text: string, hits: readonly number[]): WordMatch[] {
    const allowed: [number, number][] = [];
    const candidates: WordMatch[] = [];
    for (let h = 0; h < hits.length; h += 4) {
      const [found, out, start, end] = [hits[h], hits[h + 1], hits[h + 2], hits[h + 3]];
      for (const id of this.automaton.outputs[out]) {
        const entry = this.entries[id];
        if (entry.list === 'allowed') {
          allowed.push([start, end]);
          continue;
        }
        if (entry.name && found === FOUND_WORD && isUsedAsName(text, start, end, entry.word)) continue;
        candidates.push({ word: entry.word, match: text.slice(start, end), start, end, list: entry.list });
      }
    }
    const kept = allowed.length === 0 ? candidates : candidates.filter((m) => !allowed.some(([s, e]) => m.start < e && s < m.end));
    return dropOverlaps(kept);
  }
}

/** Keeps, per list, the earliest and then longest of overlapping matches. */
function dropOverlaps(matches: WordMatch[]): WordMatch[] {
  if (matches.length < 2) return matches;
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
