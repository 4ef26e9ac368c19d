import { expect } from 'chai';
import { Types } from 'mongoose';
import { CommentModel } from '../../src/comments/comment.model';
import { leanDocument } from '../../src/db/leanDocument';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';

/** Both ways of making a document, with the ids and dates that are made per document set alike. */
function bothWays(model: typeof CommentModel | typeof ModerationActionModel, fields: Record<string, unknown>): [unknown, unknown] {
  const lean = leanDocument(model, fields);
  const full = new model(fields).toObject() as Record<string, unknown>;
  for (const made of ['_id', 'at']) {
    if (made in full && !(made in fields)) {
      expect(lean[made], made).to.not.equal(undefined);
      lean[made] = full[made];
    }
  }
  return [lean, full];
}

describe('lean documents: what mongoose would store, without a mongoose document', () => {
  const siteId = new Types.ObjectId();
  const userId = new Types.ObjectId();
  const rootId = new Types.ObjectId();

  const comments: [string, Record<string, unknown>][] = [
    [
      'a signed-in root comment',
      { _id: rootId, siteId, articleId: 'lean-article', parentId: null, rootId, ancestors: [], depth: 0, author: { id: userId, displayName: 'Lean Reader', guestEmail: null }, body: 'Plain words.', html: '<p>Plain words.</p>', status: 'approved', reasons: [], notifyReplies: true, createdAt: new Date(1_700_000_000_000), updatedAt: new Date(1_700_000_000_000) },
    ],
    [
      "a guest's held reply with reasons and word offsets (ids as strings, cast)",
      { siteId: String(siteId), articleId: 'lean-article', parentId: String(rootId), rootId: String(rootId), ancestors: [String(rootId)], depth: 1, author: { id: null, displayName: 'Guest', guestEmail: 'guest@example.test', guestWebsite: 'https://guest.example' }, body: 'Some darn words.', html: '<p>Some darn words.</p>', status: 'pending', reasons: [{ code: 'guest' }, { code: 'profanity', detail: 'darn', matches: [{ start: 5, end: 9 }] }], notifyReplies: false },
    ],
    ['the fewest fields, everything else from the defaults', { siteId, articleId: 'lean-article', author: { displayName: 'Someone', guestWebsite: undefined }, status: 'approved' }],
  ];
  for (const [name, fields] of comments) {
    it(`makes ${name} as mongoose does`, () => {
      const [lean, full] = bothWays(CommentModel, fields);
      expect(lean).to.deep.equal(full);
    });
  }

  it('makes history entries as mongoose does, with a fresh date and id each', () => {
    const entry = { siteId, commentId: rootId, targetUserId: userId, action: 'auto-approved', actorId: null, reason: null, note: null, before: null };
    const [lean, full] = bothWays(ModerationActionModel, entry);
    expect(lean).to.deep.equal(full);
    const withBefore = { ...entry, action: 'approved', actorId: userId, before: { status: 'pending' } };
    const [leanBefore, fullBefore] = bothWays(ModerationActionModel, withBefore);
    expect(leanBefore).to.deep.equal(fullBefore);
    const [first, second] = [leanDocument(ModerationActionModel, entry), leanDocument(ModerationActionModel, entry)];
    expect(String(first._id)).to.not.equal(String(second._id));
    expect(first.at).to.be.instanceOf(Date);
    expect(first.at).to.not.equal(second.at);
  });

  it('refuses a value its schema cannot cast', () => {
    expect(() => leanDocument(CommentModel, { siteId: 'not an id', articleId: 'x', author: { displayName: 'x' }, status: 'approved' })).to.throw(/siteId/);
  });
});
