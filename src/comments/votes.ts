import type { AuthUser } from '../accounts/authenticate';
import { assertVerifiedFor } from '../accounts/policy';
import { publishChange } from '../changes/feed';
import { conflict, forbidden } from '../http/problem';
import { assertNotBanned } from '../moderation/bans';
import { canVoteOnComment } from './policy';
import { addToVoteTallies, findComment, setVote } from './store';
import type { CommentRecord } from './view';

const unitOf = (value: number, sign: 1 | -1): number => (value === sign ? 1 : 0);

/**
 * One vote per user per comment. The vote upsert returns the previous value atomically, so the
 * comment's tallies move by exactly the difference, through `addExactly`, however many votes race
 * each other, on this instance or others.
 */
export async function voteOnComment(input: { commentId: string; value: -1 | 0 | 1; viewer: AuthUser }): Promise<{ score: number }> {
  const { viewer, value } = input;
  assertVerifiedFor(viewer, 'vote');
  const comment = await findComment(input.commentId);
  await assertNotBanned(viewer, String(comment.siteId), 'voting');
  if (comment.status !== 'approved') throw conflict('Only approved comments can be voted on.');
  if (!canVoteOnComment(viewer, comment)) throw forbidden('You cannot vote on your own comment.');
  return applyVote(comment, viewer.id, value);
}

async function applyVote(comment: CommentRecord, userId: string, value: -1 | 0 | 1): Promise<{ score: number }> {
  // The vote document moves through the claimed change, so the previous value it reports is exact
  // even when one user's votes race each other; the tallies then move by exactly the difference.
  const before = await setVote(comment._id, userId, value);
  if (value === before) return { score: comment.score };
  const delta = { score: value - before, upvotes: unitOf(value, 1) - unitOf(before, 1), downvotes: unitOf(value, -1) - unitOf(before, -1) };
  const counts = await addToVoteTallies(comment._id, delta);
  // The tallies after this vote (and their revision) patch the cached pages in this process.
  const tallies = { score: counts.score, upvotes: counts.upvotes, downvotes: counts.downvotes, voteRev: counts.voteRev };
  await publishChange(
    {
      type: 'comment.voted',
      siteId: String(comment.siteId),
      articleId: comment.articleId,
      commentId: String(comment._id),
      ...(comment.author.id ? { userId: String(comment.author.id) } : {}),
      status: comment.status,
    },
    { comment: { ...comment, ...tallies }, scoreOnly: true },
  );
  return { score: counts.score };
}
