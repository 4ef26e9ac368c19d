import { trusted, Types } from 'mongoose';
import type { AuthUser } from '../accounts/authenticate';
import { UserModel } from '../accounts/user.model';
import { toUserJson, type UserJson } from '../accounts/userJson';
import { CommentModel } from '../comments/comment.model';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How many comments a moderator's search reads at most to find the people behind them. */
const MODERATOR_SCAN = 1000;

/**
 * Finds people. Admins search every account by email (an anchored prefix, served by the email index)
 * or by a display-name prefix. Moderators search only among people who commented on the sites they
 * moderate: by display-name prefix over those sites' comments (newest first, at most MODERATOR_SCAN
 * read), never by email, and never see an email.
 */
export async function searchPeople(viewer: AuthUser, q: string, siteIds: string[], limit: number): Promise<{ items: UserJson[] }> {
  const prefix = trusted({ $regex: `^${escapeRegExp(q)}`, $options: 'i' });
  if (viewer.role === 'admin') {
    const filter = q.includes('@') ? { email: trusted({ $regex: `^${escapeRegExp(q.toLowerCase())}` }) } : { displayName: prefix };
    const users = await UserModel.find(filter).sort({ _id: 1 }).limit(limit).lean();
    return { items: users.map((u) => toUserJson(u, viewer)) };
  }
  if (siteIds.length === 0 || q.includes('@')) return { items: [] };
  const comments = await CommentModel.find(
    { siteId: trusted({ $in: siteIds.map((id) => new Types.ObjectId(id)) }), 'author.displayName': prefix, 'author.id': trusted({ $ne: null }) },
    { 'author.id': 1 },
  )
    .sort({ createdAt: -1 })
    .limit(MODERATOR_SCAN)
    .lean<{ author: { id: Types.ObjectId } }[]>();
  const ids = [...new Set(comments.map((c) => String(c.author.id)))].slice(0, limit);
  const users = ids.length ? await UserModel.find({ _id: trusted({ $in: ids.map((id) => new Types.ObjectId(id)) }) }).lean() : [];
  return { items: users.map((u) => toUserJson(u, viewer)) };
}
