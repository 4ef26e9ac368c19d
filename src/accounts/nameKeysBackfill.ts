import type { Logger } from '../logging/logger';
import { QueueCounterModel } from '../moderation/queuePlaces';
import { nameKeys } from './nameKeys';
import { UserModel } from './user.model';

// Kept among the queue counters, where the first version wrote it: databases that ran it do not run it again.
export const NAME_KEYS_BACKFILLED = 'backfill:name-keys:1';

/** Once per database: gives accounts written before name keys existed their `nameKeys` (people search). */
export async function backfillNameKeys(logger: Logger): Promise<number> {
  if (await QueueCounterModel.exists({ _id: NAME_KEYS_BACKFILLED })) return 0;
  let written = 0;
  // Unfiltered, checked here: a filter FerretDB cannot push down ($exists) would have it read every
  // account before its first answer (see backfillQueuePlaces).
  const every = UserModel.collection.find({}, { projection: { displayName: 1, nameKeys: 1 } });
  for await (const user of every) {
    if (user.nameKeys !== undefined) continue;
    const name = typeof user.displayName === 'string' ? user.displayName : '';
    await UserModel.collection.updateOne({ _id: user._id }, { $set: { nameKeys: nameKeys(name) } });
    written += 1;
  }
  await QueueCounterModel.updateOne({ _id: NAME_KEYS_BACKFILLED }, { $set: { next: written } }, { upsert: true });
  if (written > 0) logger.info({ users: written }, 'people search: gave older accounts their name keys');
  return written;
}
