/**
 * The users behind sessions, remembered in process so that a signed-in request costs no read: a
 * user is forgotten when a change to them is heard (every write to a user through its model
 * publishes `user.changed`: here at once, on other instances within a second through the change
 * feed, so a logout, a ban or a role change ends sessions everywhere within that second), and kept
 * at most USER_MEMORY_MS in case a notice was lost.
 */
import { subscribeChanges } from '../changes/feed';
import { UserModel, type User } from './user.model';

const USER_MEMORY_MS = 30_000;
const MAX_USERS = 20_000;

type SessionUser = User & { _id: unknown };

const remembered = new Map<string, { user: SessionUser; at: number }>();
/** Moves with every user change heard, so a read that raced one is not kept. */
let userChanges = 0;

subscribeChanges(
  (change) => {
    if (change.type !== 'user.changed' && change.type !== 'user.banned' && change.type !== 'user.unbanned') return;
    userChanges += 1;
    if (change.userId) remembered.delete(change.userId);
    else remembered.clear();
  },
  { sync: true },
);

/** The user a session names, from memory or one read by `_id`; null when there is none. */
export async function sessionUser(userId: string, now = Date.now()): Promise<SessionUser | null> {
  const known = remembered.get(userId);
  if (known && now - known.at < USER_MEMORY_MS) return known.user;
  const changesBefore = userChanges;
  const user = await UserModel.findById(userId).lean<SessionUser>();
  if (user && userChanges === changesBefore) {
    remembered.delete(userId);
    remembered.set(userId, { user, at: now });
    if (remembered.size > MAX_USERS) remembered.delete(remembered.keys().next().value as string);
  }
  return user;
}
