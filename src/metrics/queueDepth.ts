import { CommentModel } from '../comments/comment.model';
import { scrapeGauge } from './registry';

/**
 * Comments waiting for a moderator, per site and queue, counted by the database at scrape time
 * (two small aggregates over indexed fields), so every instance reports the same shared numbers.
 */
export const queueDepth = scrapeGauge({
  name: 'threadline_moderation_queue_depth',
  help: 'Comments waiting in a site\'s moderation queue (pending, flagged), read at scrape time.',
  labelNames: ['site', 'queue'] as const,
  async collect(gauge) {
    const [pending, flagged] = await Promise.all([
      CommentModel.aggregate<{ _id: unknown; n: number }>([
        { $match: { status: 'pending' } },
        { $group: { _id: '$siteId', n: { $sum: 1 } } },
      ]),
      CommentModel.aggregate<{ _id: unknown; n: number }>([
        { $match: { flagged: true } },
        { $group: { _id: '$siteId', n: { $sum: 1 } } },
      ]),
    ]);
    for (const row of pending) gauge.set({ site: String(row._id), queue: 'pending' }, row.n);
    for (const row of flagged) gauge.set({ site: String(row._id), queue: 'flagged' }, row.n);
  },
});
