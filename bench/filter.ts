/**
 * The word filter against obscenity, allprofanity and bad-words, in one run, on the same comments:
 * 2,000 comments of 150-600 characters made of the news sentences below (written for this benchmark:
 * a county election, a council budget, a senator named Dick, schools, weather, sport), one in ten
 * carrying an obfuscated swear word from the tests' obfuscation corpus (which includes the peers' own
 * demo cases). Prints time per comment (median of interleaved rounds, since the machine is shared),
 * how many times faster ours is than each peer (median of the per-round ratios), false alarms on the
 * clean comments and on the sentences alone, and misses on the obfuscated comments.
 *
 * In-process, no database. `BENCH_ROUNDS` sets the number of rounds (default 9). `BENCH_SENTENCES_FILE`
 * names a plain-text file whose sentences replace the built-in ones (to measure on held-out text that
 * stays outside the repository).
 */
import { readFileSync } from 'node:fs';
import { Filter } from 'bad-words';
import allProfanity from 'allprofanity';
import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';
import { baseProfanityMatcher } from '../src/moderation/filter';
import { OBFUSCATED } from '../tests/moderation/corpus';

const OWN_SENTENCES = [
  'Voters in Marlow County return to the polls on Tuesday to choose a new county clerk after the incumbent retired in March.',
  'Early voting opened at the library annex, and by noon the line stretched past the bakery on Second Street.',
  'Senator Dick Durbin told reporters outside the post office that the highway money would reach the county by autumn.',
  'Dick Durbin and Tammy Duckworth both backed the rail grant, according to a statement from their offices.',
  'The clerk race has three candidates: a former school principal, a retired sheriff’s deputy and a 29-year-old accountant.',
  'Turnout in the last primary was 31 percent, the lowest since the county began keeping records in 1978.',
  'Election judges said the new ballot scanners worked without a hitch, though one precinct ran out of pens.',
  'The council approved a $48.6 million budget on a 5-2 vote after a four-hour meeting that ran past midnight.',
  'Property taxes will rise by 2.1 percent, which the finance director said works out to about $38 a year for a typical home.',
  'Councillor Nadia Butt asked why the parks department was losing two positions while the police overtime line grew.',
  'Mayor Ellen Cox said the city could not keep patching the same roads every spring and needed a real repair plan.',
  'The budget sets aside $1.2 million for the Elm Street bridge, closed to trucks since an inspection found cracked beams.',
  'Residents at the hearing asked about library hours, snow removal and the price of the new recycling carts.',
  'A classic car show will raise money for the volunteer fire department on the first Saturday of June.',
  'The cocktail reception after the ribbon cutting was paid for by the chamber of commerce, not by taxpayers.',
  'A therapist who works with veterans urged the board to keep the counseling program at the community college.',
  'The analyst hired by the school board said enrollment would fall by about 4 percent over the next five years.',
  'Scunthorpe United drew 1-1 on Saturday, and the local supporters’ club watched the match at the Essex Arms.',
  'The novel follows an assassin who retires to a quiet village in Sussex and takes up gardening.',
  'Students at Lincoln High passed a resolution asking for later start times, citing research on teenage sleep.',
  'The grass fire near the county line burned 40 acres before crews from three towns brought it under control.',
  'Police said the man was arrested after a traffic stop on Route 9 and charged with driving on a suspended license.',
  'The hospital will open a breast cancer screening clinic in the old bank building on Main Street next year.',
  'A historian spoke at the museum about how the town sheltered refugees who fled Nazi Germany in the 1930s.',
  'The court upheld the state’s same-sex marriage law in a ruling that drew praise from both parties.',
  'Farmers at the Thursday market said the wet spring had cut the strawberry harvest nearly in half.',
  'The weather service expects heavy rain on Friday, with the river cresting a foot below flood stage.',
  'Coach Dan Hancock said his players were tired but proud after the overtime win over Westfield.',
  'The quarterback threw for 212 yards and two touchdowns, and the defense held Westfield to a single field goal.',
  'A new bakery called Crumb & Co. opened in the former hardware store, and the line was out the door by eight.',
  'The transit authority will add a late bus on the Route 4 line starting in September, a spokeswoman said.',
  'Dickens Elementary will close for two days next week so that crews can replace the boiler.',
  'The zoning board rejected a plan for a 14-story apartment tower, saying it would block views of the harbor.',
  'The developer, Hitchcock Partners, said it would return with a smaller design in the fall.',
  'A county spokesman said the cumulative cost of the flood repairs had passed $3 million.',
  'The candidates debated for ninety minutes at the high school auditorium, mostly about property taxes.',
  'Dick Van Dyke films will play every Friday in August at the restored theater downtown.',
  'The retired senator, Dick Halloran, endorsed the accountant and called her the best prepared of the three.',
  'Halloran served four terms and is remembered for the farm bill he wrote with a colleague from across the aisle.',
  'Election officials reminded voters that mail ballots must be postmarked by Tuesday and received within a week.',
  'The county’s chief financial officer, Maria Wang, warned that sales tax receipts were running below forecast.',
  'An audit found that the water department had billed 312 households twice for the same month.',
  'The library will extend its Sunday hours through the winter, thanks to a grant from a local family foundation.',
  'Volunteers planted 300 trees along the river trail on Saturday, despite a cold drizzle that lasted all morning.',
  'The school board voted to buy 40 new buses, half of them electric, over the next three years.',
  'Parents asked the board to fix the heating at the middle school before another winter of coats in class.',
  'The fire chief said response times had improved since the new station opened on the east side.',
  'A state inspector will visit the nursing home next month after complaints about staffing levels.',
  'The city will repave Oak Avenue this summer, and drivers should expect detours for about six weeks.',
  'A former county treasurer pleaded guilty to taking $82,000 from a fund meant for road salt.',
  'The judge set sentencing for October and allowed him to remain free on bond until then.',
  'The high school band will march in the Thanksgiving parade in the city for the first time since 1996.',
  'A local author read from her new book about the canal, which opened in 1848 and closed a century later.',
  'Engineers said the dam was safe but recommended $600,000 in repairs to its spillway gates.',
  'The township trustees agreed to share a building inspector with two neighboring towns to save money.',
  'A survey of 600 residents found that most wanted more sidewalks and fewer potholes, in that order.',
  'The senator’s town hall meeting filled the VFW hall, and dozens of people listened from the parking lot.',
  'Questions ranged from veterans’ benefits to the price of insulin to a proposed landfill near the state park.',
  'The accountant in the clerk race promised to put every county contract online within a year.',
  'Her opponents said that was already the law and that the real problem was an outdated computer system.',
  'Ballot counting will be streamed live from the county building, a first for Marlow County.',
  'The winner will serve the rest of the term, which ends in December of next year.',
  'Crews finished the new roundabout two weeks early, and the ribbon cutting is set for Monday morning.',
  'The pawn shop on Fourth Street will become a coffee house, the owners told the planning commission.',
  'A pair of bald eagles has nested near the water plant for the third year in a row, rangers said.',
  'The museum’s new wing, paid for by private donors, will house the county’s collection of old maps.',
  'Dick Durbin visited the bridge site on Friday and said the federal share would cover most of the cost.',
  'Tickets for the fall festival go on sale Monday, with proceeds going to the food pantry.',
];

/** Sentences of a text file: split after . ! ? (and a closing quote) or at line breaks; headlines too. */
function sentencesOf(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split(/(?<=[.!?][”"’]?)\s+|\n+/u)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length >= 20 && sentence.length <= 300);
}

const SENTENCES = process.env.BENCH_SENTENCES_FILE ? sentencesOf(process.env.BENCH_SENTENCES_FILE) : OWN_SENTENCES;

/** A small deterministic generator, so every run measures the same comments. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

interface Comment {
  text: string;
  /** The obfuscation it carries, if any. */
  obfuscation: string | null;
}

const MIN = 150;
const MAX = 600;

function buildCorpus(count: number): Comment[] {
  const next = random(20240611);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const comments: Comment[] = [];
  for (let i = 0; i < count; i += 1) {
    const obfuscated = i % 10 === 9 ? OBFUSCATED[Math.floor(i / 10) % OBFUSCATED.length] : null;
    const insert = obfuscated ? `Honestly, ${obfuscated.text}, and I mean it.` : null;
    const target = MIN + Math.floor(next() * (MAX - MIN + 1));
    const parts: string[] = [];
    let size = insert ? insert.length + 1 : 0;
    for (let tries = 0; size < target && tries < 200; tries += 1) {
      const sentence = pick(SENTENCES);
      if (size + sentence.length + 1 > MAX) continue;
      parts.push(sentence);
      size += sentence.length + 1;
    }
    if (insert) parts.splice(Math.floor(next() * (parts.length + 1)), 0, insert);
    const text = parts.join(' ');
    if (text.length < MIN || text.length > MAX) throw new Error(`comment of ${text.length} characters`);
    comments.push({ text, obfuscation: obfuscated ? `${obfuscated.technique}: ${obfuscated.text}` : null });
  }
  return comments;
}

interface Contender {
  name: string;
  flags: (text: string) => boolean;
}

const ours = baseProfanityMatcher();
const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const badWords = new Filter();
const contenders: Contender[] = [
  { name: 'ours  WordMatcher.find', flags: (t) => ours.find(t).length > 0 },
  { name: 'obscenity  hasMatch', flags: (t) => obscenity.hasMatch(t) },
  { name: 'allprofanity  check', flags: (t) => allProfanity.check(t) },
  { name: 'bad-words  isProfane', flags: (t) => badWords.isProfane(t) },
];

function timeRound(contender: Contender, texts: readonly string[]): number {
  let flagged = 0;
  const started = process.hrtime.bigint();
  for (const text of texts) if (contender.flags(text)) flagged += 1;
  const micros = Number(process.hrtime.bigint() - started) / 1e3 / texts.length;
  if (flagged < 0) throw new Error('unreachable');
  return micros;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const out = (line = ''): boolean => process.stdout.write(`${line}\n`);
const fixed = (value: number, digits = 1): string => value.toFixed(digits);

const comments = buildCorpus(2000);
const texts = comments.map((c) => c.text);
const clean = comments.filter((c) => !c.obfuscation);
const dirty = comments.filter((c) => c.obfuscation);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 9));
const meanLength = Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length);

out(`Word filter benchmark (in-process, no database), Node ${process.version}`);
out(
  `${comments.length} comments of ${MIN}-${MAX} characters (mean ${meanLength}) from ${SENTENCES.length} news sentences${process.env.BENCH_SENTENCES_FILE ? ' read from BENCH_SENTENCES_FILE' : ''}; ` +
    `${dirty.length} carry one of ${OBFUSCATED.length} obfuscations; ${rounds} interleaved rounds`,
);
out();

// Accuracy first (this pass also warms every contender up).
const accuracy = contenders.map((c) => ({
  falseAlarms: clean.filter((comment) => c.flags(comment.text)).length,
  sentenceAlarms: SENTENCES.filter((s) => c.flags(s)),
  misses: dirty.filter((comment) => !c.flags(comment.text)).map((comment) => comment.obfuscation as string),
}));

const times: number[][] = contenders.map(() => []);
for (let round = 0; round < rounds; round += 1) {
  // Rotate the order each round, so no contender always runs right after another.
  for (let k = 0; k < contenders.length; k += 1) {
    const index = (round + k) % contenders.length;
    times[index].push(timeRound(contenders[index], texts));
  }
}
const ratios = contenders.map((_, i) => median(times[i].map((t, round) => t / times[0][round])));

out(`${'filter'.padEnd(24)}${'µs/comment'.padStart(11)}${'ours ×faster'.padStart(14)}${'false alarms'.padStart(14)}${'sentences'.padStart(11)}${'misses'.padStart(9)}`);
contenders.forEach((c, i) => {
  out(
    `${c.name.padEnd(24)}${fixed(median(times[i]), 2).padStart(11)}${(i === 0 ? '-' : fixed(ratios[i])).padStart(14)}` +
      `${`${accuracy[i].falseAlarms}/${clean.length}`.padStart(14)}${`${accuracy[i].sentenceAlarms.length}/${SENTENCES.length}`.padStart(11)}` +
      `${`${new Set(accuracy[i].misses).size}/${OBFUSCATED.length}`.padStart(9)}`,
  );
});
out();
const fastestPeer = contenders.slice(1).reduce((best, c, k) => (ratios[k + 1] < ratios[best] ? k + 1 : best), 1);
out(
  `Fastest peer: ${contenders[fastestPeer].name.trim()}; ours is ${fixed(ratios[fastestPeer])}x faster (goal: 5x). ` +
    `Round-to-round spread for ours: ${fixed(Math.min(...times[0]), 2)}-${fixed(Math.max(...times[0]), 2)} µs.`,
);
out('("misses" counts distinct obfuscations missed; "sentences" counts the clean sentences flagged on their own.)');
contenders.forEach((c, i) => {
  const { sentenceAlarms, misses } = accuracy[i];
  if (sentenceAlarms.length > 0) out(`${c.name.trim()} flags: ${sentenceAlarms.map((s) => `"${s.slice(0, 60)}..."`).join(' ')}`);
  if (misses.length > 0) out(`${c.name.trim()} misses: ${[...new Set(misses)].join(' | ')}`);
});
