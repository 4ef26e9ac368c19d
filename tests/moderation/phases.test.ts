import { expect } from 'chai';
import { CommentModel } from '../../src/comments/comment.model';
import { MODERATION_PHASES, REASON_CODES, definePhase, moderateComment } from '../../src/moderation/pipeline';
import type { ModerationContext } from '../../src/moderation/pipeline';
import { DEFAULT_SITE_SETTINGS } from '../../src/sites/site.model';
import { servedDocument } from '../support/app';

function context(body: string): ModerationContext {
  return {
    site: { id: '0123456789abcdef01234567', settings: { ...DEFAULT_SITE_SETTINGS }, wordListVersion: 0 },
    author: { id: '0123456789abcdef01234568', role: 'commenter', hasApprovedComment: true },
    body,
    isEdit: false,
  };
}

describe('moderation phases carry their reason codes', () => {
  it('every code a phase names is a reason the comment model stores and the document describes', () => {
    const codes = MODERATION_PHASES.flatMap((phase) => [...phase.codes]);
    expect(codes.length).to.be.greaterThan(5);
    const modelEnum = (CommentModel.schema.path('reasons') as unknown as { schema: { path(name: string): { options: { enum: string[] } } } })
      .schema.path('code').options.enum;
    const documented = servedDocument().components.schemas.Reason.properties?.code?.enum;
    for (const code of codes) {
      expect(REASON_CODES, code).to.include(code);
      expect(modelEnum, code).to.include(code);
      expect(documented, code).to.include(code);
    }
    expect(REASON_CODES).to.include('flagged');
  });

  it('names each phase for the metrics and runs a phase defined with definePhase', () => {
    expect(MODERATION_PHASES.map((phase) => phase.name)).to.include.members(['bannedWords', 'links', 'premoderation']);
    const shouting = definePhase({
      name: 'shouting',
      codes: ['premoderation'],
      run: (ctx) => (ctx.body === ctx.body.toUpperCase() ? { status: 'pending', reasons: [{ code: 'premoderation', detail: 'all capitals' }] } : undefined),
    });
    expect(shouting.name).to.equal('shouting');
    expect(moderateComment(context('STOP THE BRIDGE'), [shouting])).to.deep.equal({
      status: 'pending',
      reasons: [{ code: 'premoderation', detail: 'all capitals' }],
    });
    expect(moderateComment(context('A calm remark.'), [shouting]).status).to.equal('approved');
  });
});
