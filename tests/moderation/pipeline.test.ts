import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { moderateComment, type ModerationContext } from '../../src/moderation/pipeline';
import { countLinks } from '../../src/moderation/pipeline/phases/links';
import { DEFAULT_SITE_SETTINGS } from '../../src/sites/site.model';
import { testApp } from '../support/app';
import { createTestSite, createTestUser } from '../support/fixtures';
import { bearer } from './helpers';

let siteCounter = 0;

function context(body: string, overrides: { settings?: Partial<typeof DEFAULT_SITE_SETTINGS>; role?: ModerationContext['author']['role']; hasApproved?: boolean; moderates?: boolean } = {}): ModerationContext {
  siteCounter += 1;
  return {
    site: { id: `unit-site-${siteCounter}`, wordListVersion: 1, settings: { ...DEFAULT_SITE_SETTINGS, ...overrides.settings } },
    author: {
      id: overrides.role === 'guest' ? null : 'u1',
      role: overrides.role ?? 'commenter',
      hasApprovedComment: overrides.hasApproved ?? true,
      moderatedSiteIds: overrides.moderates ? [`unit-site-${siteCounter}`] : [],
    },
    body,
    isEdit: false,
  };
}

describe('moderation pipeline', () => {
  it('approves a plain comment with no reasons', () => {
    expect(moderateComment(context('The new bridge opens in May.'))).to.deep.equal({ status: 'approved', reasons: [] });
  });

  it('rejects on a banned word and stops there', () => {
    const decision = moderateComment(
      context('Buy cheap pills at www.pills.example and http://a.example http://b.example, s h i t', {
        settings: { bannedWords: ['pills'], premoderation: 'all' },
      }),
    );
    expect(decision).to.deep.equal({
      status: 'rejected',
      reasons: [{ code: 'banned-word', detail: 'pills', matches: [{ start: 10, end: 15 }, { start: 23, end: 28 }] }],
    });
  });

  it('holds for profanity, suspect words, links, guests and premoderation, collecting every reason', () => {
    const decision = moderateComment(
      context('That sh1t about crypto: http://a.example https://b.example www.c.example', {
        role: 'guest',
        settings: { suspectWords: ['crypto'], premoderation: 'all' },
      }),
    );
    expect(decision.status).to.equal('pending');
    expect(decision.reasons).to.deep.equal([
      { code: 'profanity', detail: 'shit', matches: [{ start: 5, end: 9 }] },
      { code: 'suspect-word', detail: 'crypto', matches: [{ start: 16, end: 22 }] },
      { code: 'too-many-links', detail: '3 links; at most 2 allowed' },
      { code: 'guest' },
      { code: 'premoderation' },
    ]);
  });

  it('holds a first comment only while the author has none approved', () => {
    const settings = { premoderation: 'first-comment' as const };
    expect(moderateComment(context('Hello all', { settings, hasApproved: false })).reasons).to.deep.equal([{ code: 'first-comment' }]);
    expect(moderateComment(context('Hello all', { settings, hasApproved: true })).status).to.equal('approved');
  });

  it('lets staff skip the hold phases but not banned words', () => {
    const held = context('f.u.c.k, see http://a.example http://b.example http://c.example', {
      role: 'moderator',
      moderates: true,
      settings: { premoderation: 'all' },
    });
    expect(moderateComment(held)).to.deep.equal({ status: 'approved', reasons: [] });
    const visiting = context('Plain words from a visiting moderator.', { role: 'moderator', settings: { premoderation: 'all' } });
    expect(moderateComment(visiting).status).to.equal('pending');
    const banned = context('a grifter', { role: 'admin', settings: { bannedWords: ['grifter'] } });
    expect(moderateComment(banned).status).to.equal('rejected');
  });

  it('counts http(s) URLs and www. hosts, each link once', () => {
    expect(countLinks('see https://www.example.org/page and www.other.example and http://x.example')).to.equal(3);
    expect(countLinks('no links, just www-ish words and example.com')).to.equal(0);
  });

  describe('through POST /sites/:siteId/articles/:articleId/comments', () => {
    let app: Express;
    before(() => {
      app = testApp();
    });

    async function post(settings: Record<string, unknown>, body: string, role: 'commenter' | 'moderator' = 'commenter') {
      const site = await createTestSite(settings);
      const user = await createTestUser({ role, moderatedSiteIds: role === 'moderator' ? [site.id] : [] });
      const res = await request(app)
        .post(`/api/v1/sites/${site.id}/articles/pipeline-article/comments`)
        .set(bearer(user.token))
        .send({ body });
      const stored = res.body.id ? await CommentModel.findById(res.body.id).lean() : null;
      return { res, stored };
    }

    it('publishes a clean comment', async () => {
      const { res } = await post({}, 'A fair point about the ferry timetable.');
      expect(res.status).to.equal(201);
      expect(res.body.status).to.equal('approved');
    });

    it('refuses a banned word with 422', async () => {
      const { res } = await post({ bannedWords: ['grifter'] }, 'The mayor is a G R I F T E R');
      expect(res.status).to.equal(422);
      expect(await CommentModel.countDocuments({ body: 'The mayor is a G R I F T E R', status: 'approved' })).to.equal(0);
    });

    for (const [name, settings, body, code] of [
      ['profanity', {}, 'What a load of bull$hit', 'profanity'],
      ['a suspect word', { suspectWords: ['casino'] }, 'Visit my c@sino', 'suspect-word'],
      ['too many links', { maxLinks: 1 }, 'https://a.example and www.b.example', 'too-many-links'],
      ['premoderation of all', { premoderation: 'all' }, 'Lovely weather.', 'premoderation'],
      ['a first comment', { premoderation: 'first-comment' }, 'My first words here.', 'first-comment'],
    ] as const) {
      it(`holds ${name} as pending with reason ${code}`, async () => {
        const { res, stored } = await post(settings, body);
        expect(res.status).to.equal(201);
        expect(res.body.status).to.equal('pending');
        expect(stored?.reasons.map((r) => r.code)).to.include(code);
      });
    }

    it('publishes a moderator\'s comment that would hold a reader\'s', async () => {
      const { res } = await post({ premoderation: 'all' }, 'Thread locked tomorrow, damn it.', 'moderator');
      expect(res.status).to.equal(201);
      expect(res.body.status).to.equal('approved');
    });
  });
});
