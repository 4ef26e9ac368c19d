import { Types } from 'mongoose';
import { CommentModel, type CommentStatus } from '../../src/comments/comment.model';

let sequence = 0;

/** A comment written straight to the database, for queue tests that do not go through posting. */
export async function insertComment(
  siteId: string,
  options: {
    status?: CommentStatus;
    authorId?: string | null;
    body?: string;
    articleId?: string;
    reasons?: { code: 'profanity' | 'first-comment' | 'premoderation' | 'guest'; detail?: string }[];
    createdAt?: Date;
    displayName?: string;
  } = {},
): Promise<string> {
  sequence += 1;
  const comment = await CommentModel.create({
    siteId: new Types.ObjectId(siteId),
    articleId: options.articleId ?? 'moderation-article',
    author: { id: options.authorId ? new Types.ObjectId(options.authorId) : null, displayName: options.displayName ?? 'Someone' },
    body: options.body ?? `A thoughtful remark about the harbour plan, number ${sequence}.`,
    html: `<p>${options.body ?? 'remark'}</p>`,
    status: options.status ?? 'pending',
    reasons: options.reasons ?? [],
    createdAt: options.createdAt ?? new Date(Date.UTC(2024, 0, 1, 0, 0, sequence)),
  });
  return String(comment._id);
}

export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });
