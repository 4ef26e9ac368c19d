import type { AuthUser } from '../accounts/authenticate';
import { Types } from 'mongoose';
import { assertVerifiedFor } from '../accounts/policy';
import { publishChange } from '../changes/feed';
import { addExactly, setExactly } from '../db/atomic';
import { conflict, forbidden } from '../http/problem';
import { assertNotBanned } from '../moderation/bans';
import { CommentModel } from './comment.model';
import { canVoteOnComment } from './policy';
import { findComment } from './store';
import { VoteModel, voteKey } from './vote.model';
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
  const { before: previous } = await setExactly(VoteModel, voteKey(String(comment._id), userId), ['value'], 'rev', () => ({ value }), {
    commentId: comment._id,
    userId: new Types.ObjectId(userId),
  });
  const before = previous.value;
  if (value === before) return { score: comment.score };
  const delta = { score: value - before, upvotes: unitOf(value, 1) - unitOf(before, 1), downvotes: unitOf(value, -1) - unitOf(before, -1) };
  const counts = await addExactly(CommentModel, comment._id, delta, 'voteRev');
  await publishChange({
    type: 'comment.voted',
    siteId: String(comment.siteId),
    articleId: comment.articleId,
    commentId: String(comment._id),
    ...(comment.author.id ? { userId: String(comment.author.id) } : {}),
    status: comment.status,
  });
  return { score: counts.score };
}
