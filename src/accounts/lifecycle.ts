import { Types } from 'mongoose';
import { touchArticle } from '../comments/articleVersion';
import { commentsOfAuthor } from '../comments/authorFilter';
import { CommentModel } from '../comments/comment.model';
import { deleteComment } from '../comments/service';
import { setOnCommentsOfAuthor } from '../comments/store';
import { VoteModel } from '../comments/vote.model';
import { DELETED_ACCOUNT_AUTHOR_NAME } from '../comments/view';
import { isDuplicateKey } from '../db/errors';
import { badRequest, conflict, forbidden, unauthorized } from '../http/problem';
import { FlagModel } from '../moderation/flag.model';
import { ModerationActionModel } from '../moderation/moderationAction.model';
import { emailIdentity, findUserByIdentity, type StoredUser } from './accountService';
import { toAuthUser } from './authenticate';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';
import { IdentityModel, UserModel } from './user.model';
import { op } from '../db/atomic';

/**
 * An account's life after registration: new password by email, new name, new address (verified before it
 * counts), a password for link-only and Facebook accounts, ending every session, and the reader's own data
 * (export, deletion). HTTP lives in lifecycleRoutes.ts.
 */

const DELETED_ACCOUNT_NAME = DELETED_ACCOUNT_AUTHOR_NAME;

async function loadWithPassword(userId: string | Types.ObjectId): Promise<StoredUser & { passwordHash?: string | null }> {
  const user = await UserModel.findById(userId).select('+passwordHash').lean<StoredUser & { passwordHash?: string | null }>();
  if (!user || user.deletedAt) throw unauthorized('This session has ended; sign in again.');
  return user;
}

async function reload(userId: Types.ObjectId | string): Promise<StoredUser> {
  const user = await UserModel.findById(userId).lean<StoredUser>();
  if (!user) throw unauthorized('This session has ended; sign in again.');
  return user;
}

function refuseWeak(password: string, user: { email?: string | null; displayName: string }): void {
  const weakness = passwordProblem(password, { email: user.email ?? undefined, displayName: user.displayName });
  if (weakness) throw badRequest('The password is not acceptable.', [{ path: 'password', message: weakness }]);
}

/** The account a reset mail goes to, or null for an unknown address (the caller answers 202 either way). */
export async function accountForReset(email: string): Promise<StoredUser | null> {
  const user = await findUserByIdentity(emailIdentity(email));
  return user && !user.deletedAt && user.email === email ? user : null;
}

/**
 * Sets the new password from a reset link. Whoever opened the link controls the mailbox, so the address
 * counts as verified; every other session ends (tokenVersion moves on) and the caller gets a fresh one.
 */
export async function resetPassword(link: { userId: Types.ObjectId | null; email: string }, password: string): Promise<StoredUser> {
  const user = link.userId ? await UserModel.findOne({ _id: link.userId, email: link.email }).lean<StoredUser>() : null;
  if (!user || user.deletedAt) throw badRequest('This link is not valid.');
  refuseWeak(password, user);
  await UserModel.updateOne(
    { _id: user._id },
    { $set: { passwordHash: await hashPassword(password), emailVerified: true }, $inc: { tokenVersion: 1 } },
  );
  return reload(user._id);
}

/** A new display name, also on the reader's existing comments (cached pages follow within a minute). */
export async function changeDisplayName(userId: string, displayName: string): Promise<StoredUser> {
  await UserModel.updateOne({ _id: userId }, { $set: { displayName } });
  await setOnCommentsOfAuthor(new Types.ObjectId(userId), { 'author.displayName': displayName });
  return reload(userId);
}

/** Accounts with a password prove it again before changing their address or deleting themselves. */
export async function checkCurrentPassword(userId: string, password: string | undefined): Promise<StoredUser> {
  const user = await loadWithPassword(userId);
  if (!user.passwordHash) return user;
  if (!password) throw forbidden('Enter your current password to do this.');
  if (!(await verifyPassword(user.passwordHash, password))) throw forbidden('The current password is not correct.');
  return user;
}

/** Refuses an address that already belongs to an account before any mail is sent. */
export async function assertAddressFree(email: string): Promise<void> {
  if (await IdentityModel.exists({ _id: emailIdentity(email) })) throw conflict('An account with this email address already exists.');
}

/**
 * The link mailed to the new address was opened: the address is claimed (its identity `_id` is unique, so
 * of two accounts racing for it one wins), the old address is released, and the new one counts as verified.
 */
export async function confirmEmailChange(link: { userId: Types.ObjectId | null; email: string }): Promise<StoredUser> {
  const user = link.userId ? await UserModel.findById(link.userId).lean<StoredUser>() : null;
  if (!user || user.deletedAt) throw badRequest('This link is not valid.');
  if (user.email === link.email) return user;
  try {
    await IdentityModel.create({ _id: emailIdentity(link.email), userId: user._id });
  } catch (err) {
    if (isDuplicateKey(err)) throw conflict('An account with this email address already exists.');
    throw err;
  }
  if (user.email) await IdentityModel.deleteOne({ _id: emailIdentity(user.email), userId: user._id });
  await UserModel.updateOne({ _id: user._id }, { $set: { email: link.email, emailVerified: true } });
  return reload(user._id);
}

/**
 * Sets a password: on a link-only or Facebook account none exists yet; an existing one must be given as
 * `currentPassword`. Every other session ends.
 */
export async function setPassword(userId: string, input: { password: string; currentPassword?: string }): Promise<StoredUser> {
  const user = await checkCurrentPassword(userId, input.currentPassword);
  if (!user.email) throw conflict('Add an email address first: a password signs in together with it.');
  refuseWeak(input.password, user);
  await UserModel.updateOne({ _id: user._id }, { $set: { passwordHash: await hashPassword(input.password) }, $inc: { tokenVersion: 1 } });
  return reload(user._id);
}

/** Ends every session of the account, this one included. */
export async function signOutEverywhere(userId: string): Promise<void> {
  await UserModel.updateOne({ _id: userId }, { $inc: { tokenVersion: 1 } });
}

const EXPORT_LIMIT = 50_000;

/** Everything the service holds about the reader, as one JSON document. */
export async function exportAccount(userId: string): Promise<Record<string, unknown>> {
  const id = new Types.ObjectId(userId);
  const user = await loadWithPassword(userId);
  const [identities, comments, votes, flags, decisions] = await Promise.all([
    IdentityModel.find({ userId: id }).lean(),
    commentsOfAuthor(id).then((mine) => CommentModel.find(mine).sort({ createdAt: 1 }).limit(EXPORT_LIMIT).lean()),
    VoteModel.find({ userId: id }).limit(EXPORT_LIMIT).lean(),
    FlagModel.find({ userId: id }).limit(EXPORT_LIMIT).lean(),
    ModerationActionModel.find({ targetUserId: id }).sort({ at: 1 }).limit(EXPORT_LIMIT).lean(),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    account: {
      id: userId,
      displayName: user.displayName,
      email: user.email ?? null,
      emailVerified: Boolean(user.emailVerified),
      role: user.role,
      hasPassword: Boolean(user.passwordHash),
      facebookLinked: Boolean(user.facebookId),
      banned: Boolean(user.banned),
      bannedUntil: user.bannedUntil ?? null,
      banReason: user.banReason ?? null,
      notifyReplies: Boolean(user.notifyReplies),
      notifyQueue: Boolean(user.notifyQueue),
      createdAt: user.createdAt ?? null,
    },
    signInIdentities: identities.map((identity) => identity._id.replace(/^(facebook):.*/, '$1')),
    comments: comments.map((c) => ({
      id: String(c._id),
      siteId: String(c.siteId),
      articleId: c.articleId,
      parentId: c.parentId ? String(c.parentId) : null,
      status: c.status,
      body: c.body,
      score: c.score,
      notifyReplies: Boolean(c.notifyReplies),
      createdAt: c.createdAt,
      editedAt: c.editedAt,
    })),
    votes: votes.map((v) => ({ commentId: String(v.commentId), value: v.value })),
    flags: flags.map((f) => ({ commentId: String(f.commentId), reason: f.reason, note: f.note ?? null, createdAt: f.createdAt })),
    moderationOfMyComments: decisions.map((d) => ({
      commentId: d.commentId ? String(d.commentId) : null,
      action: d.action,
      reason: d.reason ?? null,
      at: d.at,
    })),
  };
}

/**
 * Deletes the account within the request: every comment becomes a tombstone signed "deleted account"
 * (replies stay where they are), votes go (scores keep their totals), sign-in identities are released,
 * the email, name and password are erased, and every session ends. The user document stays, emptied, so
 * that moderation records still point somewhere.
 */
export async function deleteAccount(userId: string, password: string | undefined): Promise<void> {
  const user = await checkCurrentPassword(userId, password);
  const id = user._id;
  const viewer = toAuthUser(user);
  // End the sessions first, so nothing new is written under the account while it is emptied.
  await UserModel.updateOne({ _id: id }, { $inc: { tokenVersion: 1 } });
  const mine = await commentsOfAuthor(id);
  for (;;) {
    const batch = await CommentModel.find({ ...mine, status: op({ $ne: 'deleted' as const }) }, { _id: 1 }).limit(200).lean();
    if (batch.length === 0) break;
    for (const comment of batch) await deleteComment({ commentId: String(comment._id), viewer });
  }
  const written = await setOnCommentsOfAuthor(id, {
    'author.id': null,
    authorId: null,
    'author.displayName': DELETED_ACCOUNT_NAME,
    'author.accountDeleted': true,
  });
  // Cached thread pages carry the old name on the tombstones: give each article a new version.
  const articles = new Map(written.map((c) => [`${String(c.siteId)}:${c.articleId}`, c]));
  for (const comment of articles.values()) await touchArticle(comment.siteId, comment.articleId);
  await VoteModel.deleteMany({ userId: id });
  await IdentityModel.deleteMany({ userId: id });
  await UserModel.updateOne(
    { _id: id },
    {
      $set: { displayName: DELETED_ACCOUNT_NAME, emailVerified: false, deletedAt: new Date(), notifyReplies: false, notifyQueue: false },
      $unset: { email: 1, passwordHash: 1, facebookId: 1 },
    },
  );
}
