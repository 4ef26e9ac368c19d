import { expect } from 'chai';
import type { Express } from 'express';
import { Types } from 'mongoose';
import request from 'supertest';
import { CommentModel } from '../../src/comments/comment.model';
import { ModerationActionModel } from '../../src/moderation/moderationAction.model';
import { testApp } from './app';
import { createTestSite, createTestUser, type TestUser } from './fixtures';

/*
 * The authorization sweep's shared world and helpers. Each feature's tests/<feature>/authorization.test.ts asks
 * every endpoint that takes an id as someone who may not act on it: the answer is 401/403 (or, for bulk, nothing
 * updated) and the stored state is the same afterwards.
 */

export const auth = (user: TestUser): Record<string, string> => ({ Authorization: `Bearer ${user.token}` });
export const threadPath = (siteId: string, articleId: string): string => `/api/v1/sites/${siteId}/articles/${articleId}/comments`;

export let remarkNumber = 0;
export function freshRemark(): string {
  remarkNumber += 1;
  return `The ferry timetable change is worth discussing, remark ${remarkNumber}.`;
}

export interface StoredComment {
  status: string;
  body: string;
  score: number;
  flagCount?: number;
  revision?: number;
  editedAt?: Date | null;
}

export async function storedComment(id: string): Promise<StoredComment> {
  const comment = await CommentModel.findById(id).lean<StoredComment>();
  if (!comment) throw new Error(`comment ${id} is gone`);
  return comment;
}

export async function actionCount(commentId: string): Promise<number> {
  return ModerationActionModel.countDocuments({ commentId: new Types.ObjectId(commentId) });
}

/** Every key anywhere in a JSON value, so a leaked field is found however deep it sits. */
function allKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allKeys);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allKeys(inner)]);
  }
  return [];
}

export function expectNoEmails(body: unknown, emails: string[]): void {
  const keys = allKeys(body);
  expect(keys).to.not.include('email');
  expect(keys).to.not.include('guestEmail');
  const text = JSON.stringify(body).toLowerCase();
  for (const email of emails) expect(text).to.not.include(email.toLowerCase());
}

/** Two sites of one moderator (one holding every comment), a site of another, two commenters and an admin. */
export interface AuthorizationWorld {
  app: Express;
  siteA: string;
  heldSiteA: string;
  siteB: string;
  author: TestUser;
  otherCommenter: TestUser;
  moderatorA: TestUser;
  moderatorB: TestUser;
  admin: TestUser;
}

export async function buildAuthorizationWorld(): Promise<AuthorizationWorld> {
  const app = testApp();
  const siteA = (await createTestSite({ premoderation: 'none' })).id;
  // Every comment here waits in the queue, so the moderation endpoints have something to act on.
  const heldSiteA = (await createTestSite({ premoderation: 'all', allowGuests: true })).id;
  const siteB = (await createTestSite({ premoderation: 'all' })).id;
  return {
    app,
    siteA,
    heldSiteA,
    siteB,
    author: await createTestUser({ displayName: 'Author Ana' }),
    otherCommenter: await createTestUser({ displayName: 'Other Otto' }),
    moderatorA: await createTestUser({ role: 'moderator', moderatedSiteIds: [siteA, heldSiteA] }),
    moderatorB: await createTestUser({ role: 'moderator', moderatedSiteIds: [siteB] }),
    admin: await createTestUser({ role: 'admin' }),
  };
}

export async function postAs(app: Express, user: TestUser, siteId: string, articleId = 'harbour-plan'): Promise<Record<string, unknown>> {
  const res = await request(app).post(threadPath(siteId, articleId)).set(auth(user)).send({ body: freshRemark() });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as Record<string, unknown>;
}

export async function commentBy(app: Express, user: TestUser, siteId: string): Promise<string> {
  return String((await postAs(app, user, siteId)).id);
}
