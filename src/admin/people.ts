import { trusted, Types } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { lookupKey, nameMatches } from '../accounts/nameKeys';
import { UserModel } from '../accounts/user.model';
import { toUserJson, type UserJson } from '../accounts/userJson';
import { CommentModel } from '../comments/comment.model';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How many accounts whose name has the looked-up word are read at most for one search. */
const CANDIDATES = 500;
const FULL_ADDRESS = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Accounts whose name matches every word of `q` (each word begins a word of the name), by `_id`. */
async function byName(q: string): Promise<Awaited<ReturnType<typeof readCandidates>>> {
  const key = lookupKey(q);
  if (!key) return [];
  const candidates = await readCandidates(key);
  return candidates.filter((u) => nameMatches(u.displayName, q)).sort((a, b) => String(a._id).localeCompare(String(b._id)));
}

/** One top-level equality on the array of name prefixes: FerretDB pushes it down, a GIN index serves it. */
function readCandidates(key: string) {
  return UserModel.find({ nameKeys: key }).limit(CANDIDATES).lean();
}

/**
 * Finds people. Admins search every account by email (a whole address by equality, a fragment by an
 * anchored prefix) or by name. Moderators search by name only among people who commented on the sites
 * they moderate (checked per person by `authorId` and `siteId`), and never see an email. Names are
 * looked up by equality on `nameKeys` (src/accounts/nameKeys.ts), not by a regex over every account.
 */
export async function searchPeople(viewer: AuthUser, q: string, siteIds: string[], limit: number): Promise<{ items: UserJson[] }> {
  if (viewer.role === 'admin') {
    if (q.includes('@')) {
      const email = q.toLowerCase();
      const filter = FULL_ADDRESS.test(email) ? { email } : { email: trusted({ $regex: `^${escapeRegExp(email)}` }) };
      const users = await UserModel.find(filter).sort({ _id: 1 }).limit(limit).lean();
      return { items: users.map((u) => toUserJson(u, viewer)) };
    }
    return { items: (await byName(q)).slice(0, limit).map((u) => toUserJson(u, viewer)) };
  }
  if (siteIds.length === 0 || q.includes('@')) return { items: [] };
  const sites = siteIds.map((id) => new Types.ObjectId(id));
  const found: UserJson[] = [];
  for (const user of await byName(q)) {
    if (found.length >= limit) break;
    const commented = await Promise.all(sites.map((siteId) => CommentModel.exists({ authorId: user._id, siteId })));
    if (commented.some(Boolean)) found.push(toUserJson(user, viewer));
  }
  return { items: found };
}
