/**
 * The word filter against bad-words on the same comments: ~1000 innocent comments of 150-600
 * characters, some with obfuscated profanity injected. Prints per-comment times and ratios.
 */
import { Filter } from 'bad-words';
import { baseProfanityMatcher } from '../src/moderation/filter';
import { OBFUSCATED } from '../tests/moderation/corpus';

const VOCABULARY = (
  'the council harbour plan budget school road reader article week summer rain river bridge market ' +
  'mayor vote library station ferry bakery garden football season coach players match result ' +
  'classic assassin cocktail grass therapist Scunthorpe Dickens assessment passes Sussex analyst ' +
  'I think we should agree that this is a good idea but the cost is high and time is short ' +
  'top 5 ideas 2024 10 am room 101 well done thanks for writing about it'
).split(/\s+/);

/** A small deterministic generator, so every run measures the same text. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function buildCorpus(count: number): string[] {
  const next = random(42);
  const comments: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const length = 150 + Math.floor(next() * 450);
    const words: string[] = [];
    let size = 0;
    while (size < length) {
      const word = next() < 0.005 ? OBFUSCATED[Math.floor(next() * OBFUSCATED.length)].text : VOCABULARY[Math.floor(next() * VOCABULARY.length)];
      words.push(word);
      size += word.length + 1;
    }
    comments.push(`${words.join(' ')}.`.slice(0, 600));
  }
  return comments;
}

function timePerComment(label: string, comments: string[], run: (text: string) => unknown): number {
  for (const text of comments.slice(0, 20)) run(text); // warm up
  const started = process.hrtime.bigint();
  let flagged = 0;
  for (const text of comments) if (run(text)) flagged += 1;
  const perComment = Number(process.hrtime.bigint() - started) / 1e6 / comments.length;
  process.stdout.write(`${label.padEnd(22)} ${perComment.toFixed(4)} ms/comment  flagged ${flagged}/${comments.length}\n`);
  return perComment;
}

const comments = buildCorpus(1000);
const badWords = new Filter();
const ours = baseProfanityMatcher();
ours.find('warm the matcher up');

process.stdout.write(`${comments.length} comments, ${Math.round(comments.reduce((n, c) => n + c.length, 0) / comments.length)} characters on average\n`);
const isProfane = timePerComment('bad-words isProfane', comments, (t) => badWords.isProfane(t));
const clean = timePerComment('bad-words clean', comments.slice(0, 200), (t) => badWords.clean(t) !== t);
const matcher = timePerComment('ours (find)', comments, (t) => ours.find(t).length > 0);
process.stdout.write(`ours vs isProfane: ${(isProfane / matcher).toFixed(1)}x faster\n`);
process.stdout.write(`ours vs clean:     ${(clean / matcher).toFixed(1)}x faster\n`);
