import { expect } from 'chai';
import { Types } from 'mongoose';
import { changeDisplayName } from '../../src/accounts/lifecycle';
import { CommentModel } from '../../src/comments/comment.model';
import { addToVoteTallies } from '../../src/comments/store';
import { transition } from '../../src/comments/transition';
import { decide } from '../../src/moderation/actions';
import { setFeatured } from '../../src/moderation/featured';
import type { ModeratedComment } from '../../src/moderation/view';
import { testApp } from '../support/app';
import { createTestSite, createTestUser } from '../support/fixtures';
import { insertComment } from '../moderation/helpers';

/**
 * A vote and a moderator's decision on one comment at the same moment are two writes of one document;
 * on a server that updates by reading then writing the whole document, one could undo the other. Every
 * write of a comment takes the same claim, so both effects must be there, round after round.
 */
describe('a vote and a decision on one comment at the same moment both take effect', () => {
  const ROUNDS = 20;
  const VOTES = 3;
  let siteId: string;
  let moderatorId: string;

  before(async () => {
    testApp();
    siteId = (await createTestSite()).id;
    moderatorId = (await createTestUser({ role: 'moderator', moderatedSiteIds: [siteId] })).id;
  });

  const read = async (id: string): Promise<ModeratedComment> => {
    const found = await CommentModel.findById(id).lean<ModeratedComment>();
    if (!found) throw new Error('comment missing');
    return found;
  };
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  /** Votes (each one upvote) racing `decision`, started a few milliseconds apart in varying order. */
  async function race(round: number, id: string, decision: () => Promise<unknown>): Promise<void> {
    const votes = Array.from({ length: VOTES }, async (_, i) => {
      await pause((round + i) % 4);
      await addToVoteTallies(new Types.ObjectId(id), { score: 1, upvotes: 1, downvotes: 0 });
    });
    await Promise.all([...votes, (async () => { await pause(round % 3); await decision(); })()]);
  }

  async function rounds(
    status: 'pending' | 'approved',
    decision: (seen: ModeratedComment) => Promise<unknown>,
    expected: (after: ModeratedComment) => void,
    authorId?: string,
  ) {
    const lost: string[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = await insertComment(siteId, { status, articleId: `races-${status}`, authorId });
      await race(round, id, async () => decision(await read(id)));
      const after = await read(id);
      try {
        expect(after.score, 'score').to.equal(VOTES);
        expect(after.upvotes, 'upvotes').to.equal(VOTES);
        expected(after);
      } catch (err) {
        lost.push(`round ${round}: ${(err as Error).message}`);
      }
    }
    expect(lost, 'rounds that lost a write').to.deep.equal([]);
  }

  it('a vote and an approval', async function () {
    this.timeout(120_000);
    await rounds(
      'pending',
      (seen) => decide('approve', seen, moderatorId, {}),
      (after) => expect(after.status).to.equal('approved'),
    );
  });

  it('a vote and a rejection', async function () {
    this.timeout(120_000);
    await rounds(
      'approved',
      (seen) => decide('reject', seen, moderatorId, { reason: 'off topic' }),
      (after) => expect(after.status).to.equal('rejected'),
    );
  });

  it('a vote and an edit', async function () {
    this.timeout(120_000);
    await rounds(
      'approved',
      (seen) =>
        transition(seen, {
          to: 'approved',
          set: { body: 'Rewritten remark.', html: '<p>Rewritten remark.</p>', editedAt: new Date() },
          audit: [{ action: 'edited', actorId: seen.author.id }],
          change: 'comment.edited',
        }),
      (after) => {
        expect(after.body).to.equal('Rewritten remark.');
        expect(after.revision).to.equal(1);
      },
    );
  });

  it('a vote and featuring', async function () {
    this.timeout(120_000);
    await rounds(
      'approved',
      (seen) => setFeatured(seen, true, moderatorId),
      (after) => expect(after.featuredAt).to.be.instanceOf(Date),
    );
  });

  it('a vote and a new display name of the author', async function () {
    this.timeout(120_000);
    const author = await createTestUser();
    let round = 0;
    await rounds(
      'approved',
      () => changeDisplayName(author.id, `Renamed ${(round += 1)}`),
      (after) => expect(after.author.displayName).to.equal(`Renamed ${round}`),
      author.id,
    );
  });
});
