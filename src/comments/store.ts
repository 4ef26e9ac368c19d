import { notFound } from '../http/problem';
import { CommentModel } from './comment.model';
import type { CommentRecord } from './view';

const OBJECT_ID = /^[a-f0-9]{24}$/i;

export async function findComment(commentId: string): Promise<CommentRecord> {
  const comment = OBJECT_ID.test(commentId) ? await CommentModel.findById(commentId).lean<CommentRecord>() : null;
  if (!comment) throw notFound('No comment with this id.');
  return comment;
}
