import { expect } from 'chai';
import { staffOnPage } from '../../src/comments/staff';

describe('staff on a page (unit)', () => {
  const moderator = 'aaaaaaaaaaaaaaaaaaaaaaaa';
  const admin = 'bbbbbbbbbbbbbbbbbbbbbbbb';
  const reader = 'cccccccccccccccccccccccc';
  const page = JSON.stringify({
    comments: [
      { id: '1', author: { id: reader, displayName: 'Reader' }, replies: [{ id: '2', author: { id: moderator, displayName: 'Mod' }, replies: [] }] },
      { id: '3', author: { id: null, displayName: 'Guest' }, replies: [] },
      { id: '4', author: { id: moderator, displayName: 'Mod' }, body: `"author":{"id":"${admin}"}`, replies: [] },
    ],
  });

  it('finds each staff author once, however deep their comments sit', () => {
    expect(staffOnPage(page, [moderator, admin])).to.deep.equal([moderator]);
  });

  it('finds nobody when the site has no staff or none of them wrote here', () => {
    expect(staffOnPage(page, [])).to.deep.equal([]);
    expect(staffOnPage(page, [admin])).to.deep.equal([]);
  });
});
