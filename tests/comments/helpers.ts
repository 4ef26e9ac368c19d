import request from 'supertest';
import type { Express } from 'express';
import type { TestUser } from '../support/fixtures';

export const bearer = (user: TestUser): [string, string] => ['Authorization', `Bearer ${user.token}`];

export const threadPath = (siteId: string, articleId: string): string =>
  `/api/v1/sites/${siteId}/articles/${articleId}/comments`;

export interface PostedComment {
  id: string;
  parentId: string | null;
  depth: number;
  status: string;
  score: number;
  body: string;
  html: string;
  author: { id: string | null; displayName: string };
  replies: PostedComment[];
}

/** A thread page as the API returns it. */
export interface Thread {
  comments: PostedComment[];
  nextCursor: string | null;
  total: number;
}

/** Posts a comment and expects 201. */
export async function post(
  app: Express,
  user: TestUser,
  siteId: string,
  articleId: string,
  body: string,
  parentId?: string,
): Promise<PostedComment> {
  const res = await request(app)
    .post(threadPath(siteId, articleId))
    .set(...bearer(user))
    .send(parentId ? { body, parentId } : { body });
  if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as PostedComment;
}

/** Every id in a thread tree, depth first. */
export function allIds(comments: PostedComment[]): string[] {
  return comments.flatMap((comment) => [comment.id, ...allIds(comment.replies)]);
}
