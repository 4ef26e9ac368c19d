import type { Types } from 'mongoose';
import { QueueCounterModel } from '../moderation/queuePlaces';

/**
 * Written by `backfillQueuePlaces` (src/moderation/queueBackfill.ts) at its end, after it has given
 * every comment from before `authorId` existed its `authorId`; never removed again.
 */
export const QUEUE_PLACES_BACKFILLED = 'backfill:queue-places:1';

/** Once seen, the marker is trusted for the life of the process: it is never removed. */
let completeSeen = false;

/** Whether every comment carries `authorId` (new ones get it on insert, older ones from the backfill). */
export async function authorIdsComplete(): Promise<boolean> {
  completeSeen ||= (await QueueCounterModel.exists({ _id: QUEUE_PLACES_BACKFILLED })) !== null;
  return completeSeen;
}

/** Forgets that the marker was seen (tests remove it to stand for a database an older version left). */
export function forgetAuthorIdsComplete(): void {
  completeSeen = false;
}

export type AuthorFilter = { authorId: Types.ObjectId } | { 'author.id': Types.ObjectId };

/**
 * The filter for one author's comments. By the top-level `authorId`: FerretDB pushes it down and a GIN
 * index serves it, so a query reads that author's comments only. `author.id` is not pushed down (every
 * comment is read), but it is the only field older comments have until the start-up backfill has
 * run, so it answers until then: an account rename, deletion or export must miss none.
 */
export async function commentsOfAuthor(authorId: Types.ObjectId): Promise<AuthorFilter> {
  return (await authorIdsComplete()) ? { authorId } : { 'author.id': authorId };
}
