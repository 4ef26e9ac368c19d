import { expect } from 'chai';
import { BASE_PROFANITY, baseProfanityMatcher, siteMatcher, WordMatcher } from '../../src/moderation/filter';

/** The matched slices of the original text. */
function slices(matcher: WordMatcher, text: string): string[] {
  return matcher.find(text).map((m) => text.slice(m.start, m.end));
}

describe('word filter: names', () => {
  const matcher = baseProfanityMatcher();

  for (const text of [
    'Senator Dick Durbin voted against the bill.',
    'Tammy Duckworth and Dick Durbin.',
    'Dick Durbin said the vote would be close.',
    'Former vice president Dick Cheney spoke first.',
    'A night of Dick Van Dyke films at the library.',
    'The Van Dyke family donated the land.',
    'dick cheney and dick durbin, in lower case, are still the two men',
    'A paper by Dick J. Whittaker on river levels.',
    'Fanny Brice sang it first.',
    'Her aunt Fanny Moreau runs the bakery.',
  ]) {
    it(`passes a name: ${text}`, () => {
      expect(matcher.find(text), text).to.deep.equal([]);
    });
  }

  for (const [text, matched] of [
    ['you dick', 'dick'],
    ['what a dick the councillor was', 'dick'],
    ['Dick move by the council, again.', 'Dick'],
    ['Dick! That is what he is.', 'Dick'],
    ['You Dick.', 'Dick'],
    ['What A Dick', 'Dick'],
    ['Such a DICK, honestly', 'DICK'],
    ['D1ck Durbin', 'D1ck'],
    ['the dick in the back row', 'dick'],
    ['oh fanny off', 'fanny'],
  ] as const) {
    it(`still catches the insult: ${text}`, () => {
      expect(slices(matcher, text), text).to.deep.equal([matched]);
    });
  }
});

describe('word filter: allowed phrases', () => {
  const matcher = new WordMatcher({ profanity: BASE_PROFANITY, allowed: ['Shitterton', 'Dick Whittington', 'Cockermouth Road'] });

  it('never flags an allowed phrase, whatever its case or spacing', () => {
    for (const text of [
      'The flood reached Shitterton on Monday.',
      'SHITTERTON parish council met.',
      'A panto: dick whittington and his cat.',
      'Roadworks on Cockermouth  Road until June.',
    ]) {
      expect(matcher.find(text), text).to.deep.equal([]);
    }
  });

  it('still flags the same words elsewhere in the same text', () => {
    const text = 'Dick Whittington was fine, but the review was shit and the critic a dick.';
    expect(matcher.find(text).map((m) => [m.word, text.slice(m.start, m.end)])).to.deep.equal([
      ['shit', 'shit'],
      ['dick', 'dick'],
    ]);
  });

  it('passes banned and suspect words inside an allowed phrase too', () => {
    const site = {
      id: 'allowed-site',
      wordListVersion: 1,
      settings: { bannedWords: ['casino'], suspectWords: ['grand'], allowedPhrases: ['Grand Casino Hotel'] },
    };
    const text = 'Dinner at the Grand Casino Hotel, then a casino night at a grand hall.';
    const found = siteMatcher(site).find(text);
    expect(found.map((m) => [m.list, m.match, m.start])).to.deep.equal([
      ['banned', 'casino', text.indexOf('casino')],
      ['suspect', 'grand', text.indexOf('grand')],
    ]);
  });

  it('rebuilds the site matcher when the allowed phrases change', () => {
    const site = { id: 'allowed-site-2', wordListVersion: 1, settings: { bannedWords: [] as string[], suspectWords: [] as string[], allowedPhrases: [] as string[] } };
    expect(siteMatcher(site).find('Shitterton')).to.have.length(1);
    const allowed = { ...site, wordListVersion: 2, settings: { ...site.settings, allowedPhrases: ['Shitterton'] } };
    expect(siteMatcher(allowed).find('Shitterton')).to.deep.equal([]);
  });
});

describe('word filter: offsets into the original text', () => {
  const matcher = baseProfanityMatcher();

  for (const text of [
    'A fu\u200Bck with a zero-width space',
    'Astral 𝐟𝐮𝐜𝐤 letters and more 𝐬𝐡𝐢𝐭',
    'Emoji 🙂 before a sh1t word',
    'Full-width ｆｕｃｋ and circled ⓢⓗⓘⓣ',
    'Spelled f . u . c . k and f_u_c_k',
    'Masked f*ck, sh#t and f@ck',
    'Bold **fuck** and a #shit tag',
    'Combining fu\u0308ck accents',
    'Apostrophes: fu\u2019ck off',
    'A phrase: blow - job',
  ]) {
    it(`slices exactly the disguised word: ${text}`, () => {
      const found = matcher.find(text);
      expect(found.length, text).to.be.greaterThan(0);
      for (const m of found) {
        expect(m.match).to.equal(text.slice(m.start, m.end));
        expect(m.start).to.be.at.least(0);
        expect(m.end).to.be.at.most(text.length);
        // A match starts and ends on a character, never inside a surrogate pair or on a space.
        expect(text.slice(m.start, m.end)).to.not.match(/^\s|\s$|^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
      }
    });
  }

  it('reports every occurrence, in order, each with its own range', () => {
    const text = 'shit, then Sh1t, then s h i t.';
    expect(matcher.find(text).map((m) => [m.start, m.end])).to.deep.equal([
      [0, 4],
      [11, 15],
      [22, 29],
    ]);
  });

  it('reads masks only inside longer words, so symbols in ordinary text pass', () => {
    for (const text of ['C# and F# are languages', '5*3 is fifteen', 'a*b and **bold** text', 'email me at help@example.test', '#1 in the polls']) {
      expect(matcher.find(text), text).to.deep.equal([]);
    }
  });
});
