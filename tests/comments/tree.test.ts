import { expect } from 'chai';
import { Types } from 'mongoose';
import type { CommentStatus } from '../../src/comments/comment.model';
import { buildThread, highestScoreFirst, oldestFirst } from '../../src/comments/tree';
import type { CommentJson, CommentRecord } from '../../src/comments/view';

// buildThread on its own: records in, the visible tree out, with no database.

const siteId = new Types.ObjectId();
let clock = Date.parse('2026-03-01T10:00:00.000Z');

function record(parent: CommentRecord | null, options: { status?: CommentStatus; score?: number; at?: number } = {}): CommentRecord {
  clock += 1000;
  return {
    _id: new Types.ObjectId(),
    siteId,
    articleId: 'tree-unit',
    parentId: parent ? parent._id : null,
    rootId: parent ? (parent.rootId ?? parent._id) : null,
    // Only the tree's own fields matter here; ancestors stay short so a deep chain stays cheap to build.
    ancestors: parent ? [parent._id] : [],
    depth: parent ? parent.depth + 1 : 0,
    author: { id: new Types.ObjectId(), displayName: 'Unit Reader' },
    body: 'A plain remark.',
    html: '<p>A plain remark.</p>',
    status: options.status ?? 'approved',
    score: options.score ?? 0,
    editedAt: null,
    createdAt: new Date(options.at ?? clock),
  };
}

const ids = (nodes: CommentJson[]): string[] => nodes.map((node) => node.id);

describe('comment tree (unit)', () => {
  it('nests replies under their parents, roots in the given order', () => {
    const first = record(null);
    const second = record(null);
    const reply = record(first);
    const nested = record(reply);
    const tree = buildThread([second, first], [nested, reply], oldestFirst);
    expect(ids(tree)).to.deep.equal([String(second._id), String(first._id)]);
    expect(ids(tree[1].replies)).to.deep.equal([String(reply._id)]);
    expect(ids(tree[1].replies[0].replies)).to.deep.equal([String(nested._id)]);
    expect(tree[0].replies).to.deep.equal([]);
  });

  it('orders siblings oldest first, or by score (ties by id) for top', () => {
    const root = record(null);
    const early = record(root, { score: 1 });
    const late = record(root, { score: 5 });
    const alsoFive = record(root, { score: 5 });
    expect(ids(buildThread([root], [alsoFive, late, early], oldestFirst)[0].replies)).to.deep.equal(
      [early, late, alsoFive].map((c) => String(c._id)),
    );
    const byScore = ids(buildThread([root], [early, late, alsoFive], highestScoreFirst)[0].replies);
    expect(byScore[2]).to.equal(String(early._id));
    expect(byScore.slice(0, 2).sort()).to.deep.equal([String(late._id), String(alsoFive._id)].sort());
    expect(byScore[0] > byScore[1]).to.equal(true);
  });

  it('keeps a deleted comment as a blank tombstone only while it has visible replies', () => {
    const deletedWithReply = record(null, { status: 'deleted' });
    const reply = record(deletedWithReply);
    const deletedAlone = record(null, { status: 'deleted' });
    const tree = buildThread([deletedWithReply, deletedAlone], [reply], oldestFirst);
    expect(ids(tree)).to.deep.equal([String(deletedWithReply._id)]);
    expect(tree[0]).to.include({ body: '', html: '', status: 'deleted' });
    expect(tree[0].author).to.deep.equal({ id: null, displayName: '[deleted]', guest: false });
    expect(ids(tree[0].replies)).to.deep.equal([String(reply._id)]);
  });

  it('drops a chain of tombstones with nothing visible beneath, and replies whose parent is not visible', () => {
    const root = record(null);
    const deleted = record(root, { status: 'deleted' });
    const deletedBelow = record(deleted, { status: 'deleted' });
    const orphan = record(record(null));
    const tree = buildThread([root], [deleted, deletedBelow, orphan], oldestFirst);
    expect(tree).to.have.length(1);
    expect(tree[0].replies).to.deep.equal([]);
  });

  it('builds a very deep thread without overflowing the stack', () => {
    const root = record(null);
    const chain: CommentRecord[] = [];
    let parent = root;
    for (let i = 0; i < 20_000; i += 1) {
      parent = record(parent);
      chain.push(parent);
    }
    let node = buildThread([root], chain, oldestFirst)[0];
    let depth = 0;
    while (node.replies.length > 0) {
      node = node.replies[0];
      depth += 1;
    }
    expect(depth).to.equal(20_000);
  });
});
