/**
 * The word lists compiled into one deterministic automaton over character classes.
 *
 * A listed word becomes a path of letters in a nondeterministic automaton: a letter may repeat
 * (`fuuuck`, a run at least as long as the word's), an inner letter may be masked (`f*ck`, words of
 * four letters or more), a phrase's words are joined by a gap or by nothing (`blow job`, `blowjob`),
 * and the strong stems also match as the head or tail of a compound (`fuckwit`, `bullshit`). Subset
 * construction then gives a table `next[state * classCount + class]`, and the character table maps every
 * UTF-16 code unit to its class (case, accents, confusables, full-width forms and leetspeak folded in),
 * so that reading a word is one table lookup per character.
 */
import { CharKind, codeUnitInfos, describeChar, GAP, MASK, type CharInfo } from './normalize';

/** Any letter; a label of the compound-stem paths. */
const ANY = '\u0003';

/** Fixed class ids; word classes follow. */
export const CLASS_SPACE = 0;
export const CLASS_NEWLINE = 1;
export const CLASS_JOINER = 2;
export const CLASS_PUNCT = 3;
export const CLASS_SKIP = 4;
export const CLASS_HIGH_SURROGATE = 5;
export const FIRST_WORD_CLASS = 6;
export const DEAD = 0;
/** Flags of `ClassTable.edge`. */
export const EDGE = 1;
export const MASKING = 2;

/** Maps code units (and astral code points) to classes for one alphabet of listed letters. */
export class ClassTable {
  readonly byCodeUnit = new Uint16Array(0x10000);
  /** Per class: EDGE for `!`, `*`, `#` (dropped at a word's edges), plus MASKING for `*`, `#`, `@`. */
  edge: Uint8Array = new Uint8Array(0);
  readonly classes: { readings: string[]; digit: boolean }[] = [];
  private readonly ids = new Map<string, number>();
  private readonly astral = new Map<number, number>();

  constructor(private readonly alphabet: ReadonlySet<string>) {
    for (let i = 0; i < FIRST_WORD_CLASS; i += 1) this.classes.push({ readings: [], digit: false });
    const infos = codeUnitInfos();
    for (let code = 0; code < 0x10000; code += 1) {
      this.byCodeUnit[code] = code >= 0xd800 && code < 0xdc00 ? CLASS_HIGH_SURROGATE : this.classOf(infos[code]);
    }
    this.edge = Uint8Array.from(
      this.classes,
      (c, id) => (this.edgeIds.has(id) ? EDGE : 0) | (c.readings.includes(MASK) ? MASKING : 0),
    );
  }

  private readonly edgeIds = new Set<number>();

  private classOf(info: CharInfo, create = true): number {
    switch (info.kind) {
      case CharKind.Space:
        return CLASS_SPACE;
      case CharKind.Newline:
        return CLASS_NEWLINE;
      case CharKind.Joiner:
        return CLASS_JOINER;
      case CharKind.Punct:
        return CLASS_PUNCT;
      case CharKind.Skip:
        return CLASS_SKIP;
      default:
        break;
    }
    // Letters no listed word has are all one class: they end any match.
    const readings = info.readings.filter((r) => [...r].every((letter) => this.alphabet.has(letter))).sort();
    const key = `${info.digit ? 'd' : ''}${info.edge ? 'e' : ''}:${readings.join('|')}`;
    let id = this.ids.get(key);
    if (id === undefined && !create) return this.deadWordClass();
    if (id === undefined) {
      id = this.classes.length;
      this.classes.push({ readings, digit: info.digit });
      this.ids.set(key, id);
      if (info.edge) this.edgeIds.add(id);
    }
    return id;
  }

  /** The class of an astral code point (mathematical letters and the like); the rare path. */
  astralClass(codePoint: number): number {
    let id = this.astral.get(codePoint);
    if (id === undefined) {
      // A class first seen here has no column in the automaton: it reads as an unlisted letter.
      id = this.classOf(describeChar(codePoint), false);
      if (this.astral.size < 10_000) this.astral.set(codePoint, id);
    }
    return id;
  }

  private deadWordClass(): number {
    return this.ids.get(':') ?? CLASS_PUNCT;
  }

  get size(): number {
    return this.classes.length;
  }
}

const classTables = new Map<string, ClassTable>();
/** Class tables depend only on the letters the lists use; sites with Latin word lists share one. */
export function classTableFor(alphabet: ReadonlySet<string>): ClassTable {
  const key = [...alphabet].sort().join('');
  let table = classTables.get(key);
  if (!table) {
    table = new ClassTable(alphabet);
    if (classTables.size < 50) classTables.set(key, table);
  }
  return table;
}

/** One pattern to compile: its letter readings per position (or `GAP`), and the entry it reports. */
export interface PatternInput {
  pattern: string[][];
  entry: number;
  /** The strong stems: also matched as the head or tail of a longer word, or anywhere inside one. */
  stem?: 'ends' | 'anywhere';
}

class Nfa {
  readonly edges: Map<string, number[]>[] = [];
  readonly finals: number[][] = [];
  /** Entries reached through a compound stem (`bullshit`): whole words only, never spelled out. */
  readonly stemFinals: number[][] = [];

  node(): number {
    this.edges.push(new Map());
    this.finals.push([]);
    this.stemFinals.push([]);
    return this.edges.length - 1;
  }

  edge(from: number, label: string, to: number): void {
    const map = this.edges[from];
    const list = map.get(label);
    if (!list) map.set(label, [to]);
    else if (!list.includes(to)) list.push(to);
  }

  /** The path of one pattern from `starts`; returns the nodes where it ends. */
  path(starts: number[], pattern: string[][], stemRepeats: boolean): number[] {
    let frontier = starts;
    // Masks stand for inner letters of a word of four letters or more.
    const segments = segmentLengths(pattern);
    let indexInWord = 0;
    let segment = 0;
    for (let p = 0; p < pattern.length; p += 1) {
      const readings = pattern[p];
      const next = this.node();
      if (readings[0] === GAP) {
        for (const from of frontier) this.edge(from, GAP, next);
        frontier = [next];
        indexInWord = 0;
        segment += 1;
        continue;
      }
      const wordLength = segments[segment];
      const inner = indexInWord > 0 && indexInWord < wordLength - 1 && wordLength >= 4;
      for (const from of frontier) {
        for (const letter of readings) this.edge(from, letter, next);
        if (inner) this.edge(from, MASK, next);
      }
      const newFrontier = [next];
      const single = readings.length === 1 ? readings[0] : null;
      const nextIsSame = single !== null && p + 1 < pattern.length && pattern[p + 1].length === 1 && pattern[p + 1][0] === single;
      if (single !== null && !nextIsSame) {
        if (stemRepeats) {
          // A stem's letter repeats only when stretched on purpose: once, or three times and more ("shiitake" passes).
          const a = this.node();
          const b = this.node();
          const c = this.node();
          for (const from of frontier) this.edge(from, single, a);
          this.edge(a, single, b);
          this.edge(b, single, c);
          this.edge(c, single, c);
          newFrontier.push(c);
        } else {
          this.edge(next, single, next);
        }
      }
      frontier = newFrontier;
      indexInWord += 1;
    }
    return frontier;
  }

  step(set: readonly number[], letter: string): number[] {
    const out: number[] = [];
    for (const node of set) {
      const direct = this.edges[node].get(letter);
      if (direct) out.push(...direct);
      if (letter !== GAP) {
        const any = this.edges[node].get(ANY);
        if (any) out.push(...any);
      }
    }
    return sortedUnique(out);
  }
}

function sortedUnique(values: number[]): number[] {
  if (values.length < 2) return values;
  values.sort((a, b) => a - b);
  let kept = 1;
  for (let i = 1; i < values.length; i += 1) if (values[i] !== values[kept - 1]) values[kept++] = values[i];
  values.length = kept;
  return values;
}

function segmentLengths(pattern: string[][]): number[] {
  const lengths = [0];
  for (const readings of pattern) {
    if (readings[0] === GAP) lengths.push(0);
    else lengths[lengths.length - 1] += 1;
  }
  return lengths;
}

/** The compiled automaton: transitions, and per state what it accepts. */
export interface Automaton {
  classes: ClassTable;
  classCount: number;
  start: number;
  /** `next[state * classCount + class]`; 16 bits a cell keeps a site's table near 400 KB. */
  next: Uint16Array;
  /** Per state: the state after a phrase gap, or DEAD. */
  gapNext: Int32Array;
  /** Per state: an index into `outputs` when a whole word ends here (stems included), else -1. */
  acceptWord: Int32Array;
  /** Per state: the same without compound stems, for spelled-out letters. */
  acceptSpelled: Int32Array;
  /** Entry ids a state reports. */
  outputs: number[][];
  stateCount: number;
  /** The output of a whole word that has a masking symbol in it, or -1. */
  maskedOutput: (wordClasses: readonly number[]) => number;
}

/**
 * Builds the automaton. `rank` orders entries of one list reaching the same state (lower wins),
 * `listOf` says which list an entry is in; one entry per list is reported.
 */
export function compile(
  patterns: readonly PatternInput[],
  rank: (entry: number) => number,
  listOf: (entry: number) => string,
  maxStates = 0xffff,
): Automaton {
  const nfa = new Nfa();
  const root = nfa.node();
  const tailRoot = nfa.node();
  nfa.edge(tailRoot, ANY, tailRoot);
  const alphabet = new Set<string>([MASK]);
  let hasStems = false;

  for (const { pattern, entry, stem } of patterns) {
    for (const readings of pattern) for (const reading of readings) if (reading !== GAP) for (const l of reading) alphabet.add(l);
    const withGap = nfa.path([root], pattern, false);
    for (const end of withGap) nfa.finals[end].push(entry);
    if (pattern.some((r) => r[0] === GAP)) {
      const joined = pattern.filter((r) => r[0] !== GAP);
      for (const end of nfa.path([root], joined, false)) nfa.finals[end].push(entry);
    }
    if (stem) {
      hasStems = true;
      for (const end of nfa.path([root], pattern, true)) {
        const tail = nfa.node();
        nfa.edge(end, ANY, tail);
        nfa.edge(tail, ANY, tail);
        nfa.stemFinals[tail].push(entry);
        nfa.stemFinals[end].push(entry);
      }
      for (const end of nfa.path([tailRoot], pattern, true)) {
        nfa.stemFinals[end].push(entry);
        if (stem === 'anywhere') {
          const tail = nfa.node();
          nfa.edge(end, ANY, tail);
          nfa.edge(tail, ANY, tail);
          nfa.stemFinals[tail].push(entry);
        }
      }
    }
  }

  const classes = classTableFor(alphabet);
  const classCount = classes.size;

  // Subsets of NFA nodes are interned once; every letter step from a subset is computed in one pass over its nodes.
  const setKeys = new Map<string, number>([['', 0]]);
  const sets: number[][] = [[]];
  const internSet = (set: number[]): number => {
    if (set.length === 0) return 0;
    const key = set.join(',');
    let id = setKeys.get(key);
    if (id === undefined) {
      id = sets.length;
      sets.push(set);
      setKeys.set(key, id);
    }
    return id;
  };
  const letterList = [...alphabet].filter((letter) => letter !== MASK);
  letterList.push(GAP);
  const letterIndex = new Map(letterList.map((letter, index) => [letter, index]));
  const gapIndex = letterList.length - 1;
  const letterRows: Int32Array[] = [];
  const letterRow = (setId: number): Int32Array => {
    let row = letterRows[setId];
    if (row) return row;
    row = new Int32Array(letterList.length);
    if (setId !== 0) {
      const buckets: number[][] = letterList.map(() => []);
      const any: number[] = [];
      for (const node of sets[setId]) {
        for (const [label, targets] of nfa.edges[node]) {
          if (label === ANY) any.push(...targets);
          else {
            const index = letterIndex.get(label);
            if (index !== undefined) buckets[index].push(...targets);
          }
        }
      }
      for (let index = 0; index < letterList.length; index += 1) {
        const bucket = index === gapIndex || any.length === 0 ? buckets[index] : buckets[index].concat(any);
        row[index] = internSet(sortedUnique(bucket));
      }
    }
    letterRows[setId] = row;
    return row;
  };
  const stepSet = (setId: number, letter: string): number => {
    const index = letterIndex.get(letter);
    return setId === 0 || index === undefined ? 0 : letterRow(setId)[index];
  };
  // Masks are read on the rare path (`maskedOutput`): folding them in would multiply the states.
  const classReadings = classes.classes.map((c) => c.readings.filter((r) => r !== MASK));
  const classSetRows = new Map<number, Int32Array>();
  const classSetRow = (setId: number): Int32Array => {
    let row = classSetRows.get(setId);
    if (row) return row;
    row = new Int32Array(classCount);
    for (let c = FIRST_WORD_CLASS; c < classCount; c += 1) {
      const readings = classReadings[c];
      if (readings.length === 0) continue;
      const targets: number[] = [];
      for (const reading of readings) {
        let current = setId;
        for (const letter of reading) current = stepSet(current, letter);
        if (current !== 0) targets.push(current);
      }
      row[c] =
        targets.length <= 1 ? (targets[0] ?? 0) : internSet([...new Set(targets.flatMap((t) => sets[t]))].sort((a, b) => a - b));
    }
    classSetRows.set(setId, row);
    return row;
  };

  // A DFA state is a subset plus whether the word so far has more than digits.
  const stateIds = new Map<number, number>([[0, DEAD]]);
  const stateSet: number[] = [0];
  const stateSawLetter: boolean[] = [false];
  const next: number[] = new Array<number>(classCount).fill(DEAD);
  const gapNext: number[] = [DEAD];
  const stateOf = (setId: number, sawLetter: boolean): number => {
    if (setId === 0) return DEAD;
    const key = setId * 2 + (sawLetter ? 1 : 0);
    let id = stateIds.get(key);
    if (id === undefined) {
      id = stateSet.length;
      if (id >= maxStates) throw new Error(`word list automaton exceeds ${maxStates} states`);
      stateSet.push(setId);
      stateSawLetter.push(sawLetter);
      stateIds.set(key, id);
      for (let c = 0; c < classCount; c += 1) next.push(DEAD);
      gapNext.push(DEAD);
    }
    return id;
  };

  const start = stateOf(internSet(hasStems ? [root, tailRoot] : [root]), false);
  for (let state = 1; state < stateSet.length; state += 1) {
    const row = classSetRow(stateSet[state]);
    const saw = stateSawLetter[state];
    for (let c = FIRST_WORD_CLASS; c < classCount; c += 1) {
      if (row[c] !== 0) next[state * classCount + c] = stateOf(row[c], saw || !classes.classes[c].digit);
    }
    gapNext[state] = stateOf(stepSet(stateSet[state], GAP), saw);
  }
  const stateSets = stateSet.map((id) => sets[id]);

  const outputs: number[][] = [];
  const outputIds = new Map<string, number>();
  const outputOf = (entries: number[]): number => {
    if (entries.length === 0) return -1;
    const best = new Map<string, number>();
    for (const entry of entries) {
      const list = listOf(entry);
      const current = best.get(list);
      if (current === undefined || rank(entry) < rank(current)) best.set(list, entry);
    }
    const chosen = [...best.values()].sort((a, b) => a - b);
    const key = chosen.join(',');
    let id = outputIds.get(key);
    if (id === undefined) {
      id = outputs.length;
      outputs.push(chosen);
      outputIds.set(key, id);
    }
    return id;
  };

  const wordOutput = (set: readonly number[]): number => {
    const words: number[] = [];
    const stems: number[] = [];
    for (const node of set) {
      words.push(...nfa.finals[node]);
      stems.push(...nfa.stemFinals[node]);
    }
    // A listed word wins over a stem of the same list ("fucker" is reported as itself).
    const stemOnlyLists = stems.filter((s) => !words.some((w) => listOf(w) === listOf(s)));
    return outputOf([...words, ...stemOnlyLists]);
  };

  const stateCount = stateSets.length;
  const acceptWord = new Int32Array(stateCount).fill(-1);
  const acceptSpelled = new Int32Array(stateCount).fill(-1);
  for (let state = 1; state < stateCount; state += 1) {
    if (!stateSawLetter[state]) continue;
    acceptSpelled[state] = outputOf(stateSets[state].flatMap((node) => nfa.finals[node]));
    acceptWord[state] = wordOutput(stateSets[state]);
  }

  const startSet = stateSets[start];
  /** A word with a masking symbol in it (`f*ck`, `f@ck`), read by stepping the nondeterministic automaton. */
  const maskedOutput = (wordClasses: readonly number[]): number => {
    let set: number[] = startSet;
    for (const c of wordClasses) {
      const union = new Set<number>();
      for (const reading of classes.classes[c].readings) {
        let current: number[] = set;
        for (const letter of reading) current = current.length > 0 ? nfa.step(current, letter) : current;
        for (const node of current) union.add(node);
      }
      set = [...union];
      if (set.length === 0) return -1;
    }
    return wordOutput(set);
  };

  return {
    classes,
    classCount,
    start,
    next: Uint16Array.from(next),
    gapNext: Int32Array.from(gapNext),
    acceptWord,
    acceptSpelled,
    outputs,
    stateCount,
    maskedOutput,
  };
}
