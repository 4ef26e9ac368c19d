import type { Types } from 'mongoose';
import { QUEUE_PLACES_BACKFILLED } from '../comments/authorFilter';
import { CommentModel, type CommentStatus } from '../comments/comment.model';
import { setCommentFields } from '../comments/store';
import type { Logger } from '../logging/logger';
import { placeNewComments, QueueCounterModel, settleHeads, type QueuePlace } from './queuePlaces';

// Also what tells author queries that every comment has its authorId (src/comments/authorFilter.ts).
const DONE = QUEUE_PLACES_BACKFILLED;
const BATCH = 500;

interface Legacy extends QueuePlace {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  status: CommentStatus;
  flagged?: boolean | null;
  author?: { id?: Types.ObjectId | null };
}

/**
 * Once per database: gives comments written before the queue places existed their `authorId` and,
 * oldest first, their places in the queues (held, rejected and flagged comments). Runs at start in the
 * background; each comment is written on its own (by `_id`, through the comment store's claimed write),
 * so it can stop and resume anywhere.
 */
export async function backfillQueuePlaces(logger: Logger): Promise<number> {
  if (await QueueCounterModel.exists({ _id: DONE })) return 0;
  let written = 0;
  // Every comment, unfiltered, checked here: FerretDB streams an unfiltered find batch by batch, but
  // a filter it cannot push down ($exists) has it read the whole collection before its first answer,
  // which at 100,000 comments outlasted the connection's socket timeout and failed the backfill.
  const every = CommentModel.collection.find({}, { projection: { 'author.id': 1, authorId: 1 } });
  for await (const doc of every) {
    if (doc.authorId !== undefined) continue;
    const author = (doc as { author?: { id?: Types.ObjectId | null } }).author;
    await setCommentFields(doc._id as Types.ObjectId, { authorId: author?.id ?? null });
    written += 1;
  }
  for (const status of ['pending', 'rejected'] as const) {
    for (;;) {
      // `queueSeq` is absent only on comments from before (new ones carry null or a number).
      const batch = await CommentModel.collection
        .find({ status, queueSeq: { $exists: false } }, { projection: { siteId: 1, status: 1, flagged: 1, createdAt: 1 } })
        .sort({ createdAt: 1, _id: 1 })
        .limit(BATCH)
        .toArray();
      if (batch.length === 0) break;
      const docs = batch as unknown as Legacy[];
      const entered = await placeNewComments(docs);
      for (const doc of docs) {
        const { queueBucket, queueSeq, flagBucket, flagSeq } = doc;
        await setCommentFields(doc._id, { queueBucket, queueSeq, flagBucket, flagSeq }, { status: doc.status });
      }
      await settleHeads(entered);
      written += docs.length;
    }
  }
  await QueueCounterModel.updateOne({ _id: DONE }, { $set: { next: written } }, { upsert: true });
  if (written > 0) logger.info({ comments: written }, 'moderation queues: placed the comments written before queue places');
  return written;
}
