/**
 * Listed words that are also given names or surnames. They match as insults ("you dick", "what a
 * dick", "Dick move") but not as names: written plainly and capitalised beside another capitalised
 * word ("Senator Dick Durbin", "Dick Van Dyke"), or in a known name pair in any case ("dick cheney").
 * Only read when such a word has matched, so none of this is on the path of ordinary text.
 */

/** Words of the lists that are also common names. */
export const NAME_WORDS: ReadonlySet<string> = new Set([
  'dick',
  'dyke',
  'fanny',
  'willy',
  'willie',
  'johnson',
  'cox',
  'wang',
  'pecker',
  'butt',
  'gaylord',
  'hoare',
  'lipshitz',
  'lipshits',
  'knob',
  'cock',
  'kock',
]);

/** Name pairs known well enough to pass in any case. */
const KNOWN_NAMES: ReadonlySet<string> = new Set([
  'dick durbin',
  'dick cheney',
  'dick van dyke',
  'van dyke',
  'dick tracy',
  'dick clark',
  'dick gephardt',
  'dick armey',
  'dick lugar',
  'dick morris',
  'dick vitale',
  'dick butkus',
  'dick wolf',
  'dick francis',
  'dick grasso',
  'dick costolo',
  'dick fosbury',
  'dick york',
  'moby dick',
  'fanny brice',
  'fanny ardant',
  'fanny kemble',
  'fanny crosby',
  'fanny mendelssohn',
  'david pecker',
  'willy brandt',
  'willy wonka',
  'free willy',
  'willy loman',
  'gaylord nelson',
  'gaylord perry',
  'tony hoare',
]);

/** Capitalised words that open sentences and insults, not names ("You Dick", "What A Dick"). */
const NOT_NAMES: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'you', 'your', 'youre', 'ur', 'what', 'such', 'total', 'complete', 'absolute', 'big', 'little',
  'stupid', 'dumb', 'he', 'she', 'they', 'it', 'is', 'was', 'are', 'hes', 'shes', 'theyre', 'this', 'that', 'these',
  'those', 'hey', 'oh', 'ok', 'okay', 'yes', 'no', 'not', 'so', 'and', 'or', 'but', 'i', 'im', 'we', 'my', 'our',
  'his', 'her', 'their', 'like', 'just', 'really', 'very', 'real', 'old', 'fat', 'ugly', 'lying', 'dear', 'mr', 'mister',
]);

const MAX_SPACES = 3;

function isLetter(char: string): boolean {
  return char.toLowerCase() !== char.toUpperCase();
}

function isUpper(char: string): boolean {
  return isLetter(char) && char === char.toUpperCase();
}

interface Neighbour {
  word: string;
  start: number;
  end: number;
}

/** The word right before `from` or right after `to`, separated from it by spaces only; null otherwise. */
function neighbour(text: string, from: number, to: number, direction: -1 | 1): Neighbour | null {
  let i = direction === 1 ? to : from - 1;
  let spaces = 0;
  while (i >= 0 && i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\u00A0')) {
    spaces += 1;
    i += direction;
  }
  if (spaces === 0 || spaces > MAX_SPACES) return null;
  const edge = i;
  const isWordChar = (c: string): boolean => isLetter(c) || c === "'" || c === '\u2019';
  while (i >= 0 && i < text.length && isWordChar(text[i])) i += direction;
  const [start, end] = direction === 1 ? [edge, i] : [i + 1, edge + 1];
  if (end <= start) return null;
  return { word: text.slice(start, end), start, end };
}

function plain(word: string): string {
  return word.toLowerCase().replace(/['\u2019]/g, '');
}

/** "Durbin", "Van", "J." but not "DICK" or a sentence opener. */
function capitalised(word: string, text: string, end: number): boolean {
  if (!isUpper(word[0])) return false;
  if (word.length === 1) return text[end] === '.';
  return !isUpper(word[1]) && !NOT_NAMES.has(plain(word));
}

/**
 * True when the listed word at `start`..`end` is written as a name: spelled plainly (no leetspeak or
 * masks) and either part of a known name pair, or capitalised beside another capitalised word.
 */
export function isUsedAsName(text: string, start: number, end: number, word: string): boolean {
  const self = text.slice(start, end);
  if (self.toLowerCase() !== word) return false;
  const before = neighbour(text, start, end, -1);
  const after = neighbour(text, start, end, 1);
  const afterNext = after ? neighbour(text, after.start, after.end, 1) : null;
  const beforePrevious = before ? neighbour(text, before.start, before.end, -1) : null;
  const pairs = [
    before && `${plain(before.word)} ${word}`,
    after && `${word} ${plain(after.word)}`,
    after && afterNext && `${word} ${plain(after.word)} ${plain(afterNext.word)}`,
    before && beforePrevious && `${plain(beforePrevious.word)} ${plain(before.word)} ${word}`,
  ];
  if (pairs.some((pair) => pair && KNOWN_NAMES.has(pair))) return true;
  if (!isUpper(self[0]) || (self.length > 1 && isUpper(self[1]))) return false;
  return Boolean((before && capitalised(before.word, text, before.end)) || (after && capitalised(after.word, text, after.end)));
}
