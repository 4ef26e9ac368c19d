import { Schema, model } from 'mongoose';
import { upsertWithRetry } from '../db/atomic';

/**
 * One moderator's watch list for one site: the articles that need care today. The console shows a
 * queue limited to these (`?articles=` on the queue).
 */
const watchListSchema = new Schema(
  {
    _id: { type: String, required: true },
    articleIds: { type: [String], default: [] },
  },
  { timestamps: true },
);
const WatchListModel = model('WatchList', watchListSchema);

export const WATCH_LIST_MAX = 50;

const watchKey = (userId: string, siteId: string): string => `${userId}:${siteId}`;

export async function readWatchList(userId: string, siteId: string): Promise<{ articleIds: string[] }> {
  const list = await WatchListModel.findById(watchKey(userId, siteId)).lean<{ articleIds?: string[] }>();
  return { articleIds: list?.articleIds ?? [] };
}

export async function writeWatchList(userId: string, siteId: string, articleIds: string[]): Promise<{ articleIds: string[] }> {
  const unique = [...new Set(articleIds)].slice(0, WATCH_LIST_MAX);
  await upsertWithRetry(() => WatchListModel.updateOne({ _id: watchKey(userId, siteId) }, { $set: { articleIds: unique } }, { upsert: true }));
  return { articleIds: unique };
}

