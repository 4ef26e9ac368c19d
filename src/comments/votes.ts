import type { AuthUser } from '../accounts/authenticate';
import { assertVerifiedFor } from '../accounts/policy';
import { conflict, forbidden } from '../http/problem';
import { assertNotBanned } from '../moderation/bans';
import { touchArticle } from './articleVersion';
import { CommentModel } from './comment.model';
import { KeyedQueue } from './keyedQueue';
import { canVoteOnComment } from './policy';
import { findComment } from './store';
import { VoteModel, voteKey } from './vote.model';
import type { CommentRecord } from './view';
import { upsertWithRetry } from '../db/errors';


const unitOf = (value: number, sign: 1 | -1): number => (value === sign ? 1 : 0);

const votesPerComment = new KeyedQueue();

/**
 * One vote per user per comment. The vote upsert returns the previous value atomically, so the
 * comment's counters move by exactly the difference, however many votes race each other.
 */
export async function voteOnComment(input: { commentId: string; value: -1 | 0 | 1; viewer: AuthUser }): Promise<{ score: number }> {
  const { viewer, value } = input;
  assertVerifiedFor(viewer, 'vote');
  const comment = await findComment(input.commentId);
  await assertNotBanned(viewer, String(comment.siteId), 'voting');
  if (comment.status !== 'approved') throw conflict('Only approved comments can be voted on.');
  if (!canVoteOnComment(viewer, comment)) throw forbidden('You cannot vote on your own comment.');

  return votesPerComment.run(String(comment._id), () => applyVote(comment, viewer.id, value));
}


async function applyVote(comment: CommentRecord, userId: string, value: -1 | 0 | 1): Promise<{ score: number }> {
  const upsertVote = () =>
    VoteModel.findOneAndUpdate(
      { _id: voteKey(String(comment._id), userId) },
      { $set: { value }, $setOnInsert: { commentId: comment._id, userId } },
      { upsert: true, returnDocument: 'before' },
    ).lean();
  const previous = await upsertWithRetry(upsertVote);
  const before = previous?.value ?? 0;
  const delta = { score: value - before, upvotes: unitOf(value, 1) - unitOf(before, 1), downvotes: unitOf(value, -1) - unitOf(before, -1) };
  // No projection here: findAndModify with one is not supported by every backend we run on.
  const updated =
    delta.score !== 0
      ? await CommentModel.findOneAndUpdate({ _id: comment._id }, { $inc: delta }, { returnDocument: 'after' }).lean()
      : await CommentModel.findById(comment._id, { score: 1 }).lean();
  if (delta.score !== 0) await touchArticle(comment.siteId, comment.articleId);
  return { score: updated?.score ?? 0 };
}
