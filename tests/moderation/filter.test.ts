import { expect } from 'chai';
import { baseProfanityMatcher, siteMatcher, WordMatcher } from '../../src/moderation/filter';
import { collapseRuns } from '../../src/moderation/filter/normalize';
import { INNOCENT, OBFUSCATED } from './corpus';

describe('word filter', () => {
  const matcher = baseProfanityMatcher();

  it('catches every obfuscation in the corpus (recall)', () => {
    // The list spells some words several ways ("boobs", "booobs"); any spelling of the word counts.
    const sameWord = (a: string, b: string): boolean => collapseRuns(a.toLowerCase(), 2) === collapseRuns(b, 2);
    const missed = OBFUSCATED.filter(({ text, word }) => !matcher.find(text).some((m) => sameWord(m.word, word)));
    const recall = (OBFUSCATED.length - missed.length) / OBFUSCATED.length;
    expect(missed.map((m) => `${m.technique}: ${m.text}`), `recall ${recall}`).to.deep.equal([]);
  });

  for (const { text, technique } of OBFUSCATED) {
    it(`points back at the original text (${technique})`, () => {
      const [match] = matcher.find(`Well, ${text} indeed`);
      expect(match, text).to.not.equal(undefined);
      expect(match.match).to.equal(`Well, ${text} indeed`.slice(match.start, match.end));
      expect(match.list).to.equal('profanity');
    });
  }

  it('reports the listed word, the original slice and its offsets', () => {
    const text = 'Honestly, f.u.c.k that and the a55 who wrote it.';
    expect(matcher.find(text)).to.deep.equal([
      { word: 'fuck', match: 'f.u.c.k', start: 10, end: 17, list: 'profanity' },
      { word: 'ass', match: 'a55', start: 31, end: 34, list: 'profanity' },
    ]);
  });

  it('passes innocent words that contain a listed one', () => {
    for (const text of INNOCENT) expect(matcher.find(text), text).to.deep.equal([]);
  });

  it('matches site words (banned and suspect) with the same normalisation, phrases included', () => {
    const site = {
      id: 'site-a',
      wordListVersion: 1,
      settings: { bannedWords: ['grifter', 'free money'], suspectWords: ['crypto'] },
    };
    const found = siteMatcher(site).find('That g-r-i-f-t-e-r promised FREE  money in crурто');
    expect(found.map((m) => [m.word, m.list])).to.deep.equal([
      ['grifter', 'banned'],
      ['free money', 'banned'],
      ['crypto', 'suspect'],
    ]);
  });

  it('builds a site matcher once per word list version and rebuilds when it changes', () => {
    const site = { id: 'site-b', wordListVersion: 3, settings: { bannedWords: ['alpha'], suspectWords: [] as string[] } };
    const first = siteMatcher(site);
    expect(siteMatcher({ ...site })).to.equal(first);
    const changed = siteMatcher({ ...site, wordListVersion: 4, settings: { bannedWords: ['beta'], suspectWords: [] } });
    expect(changed).to.not.equal(first);
    expect(changed.find('beta').map((m) => m.word)).to.deep.equal(['beta']);
    expect(changed.find('alpha')).to.deep.equal([]);
  });

  it('an empty list matches nothing', () => {
    expect(new WordMatcher({}).find('anything at all')).to.deep.equal([]);
  });
});
