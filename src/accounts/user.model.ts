import { Schema, Types, model, type HydratedDocument, type InferSchemaType, type MongooseQueryMiddleware, type Query } from 'mongoose';
import { publishChange } from '../changes/feed';
import { nameKeys } from './nameKeys';

export const ROLES = ['commenter', 'moderator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A reader, moderator or admin. Sign-in identities (email, Facebook) point here from the Identity collection. */
const userSchema = new Schema(
  {
    displayName: { type: String, required: true, trim: true },
    /** Lower-cased; unique through the Identity collection, not an index, so that accounts without email are allowed. */
    email: { type: String, lowercase: true, trim: true },
    emailVerified: { type: Boolean, default: false },
    passwordHash: { type: String, select: false },
    facebookId: { type: String },
    role: { type: String, enum: ROLES, default: 'commenter' },
    /** Sites a moderator may moderate; admins moderate every site. */
    moderatedSiteIds: { type: [Schema.Types.ObjectId], default: [] },
    banned: { type: Boolean, default: false },
    bannedUntil: { type: Date, default: null },
    banReason: { type: String, default: null },
    /** Bumped on logout and ban: every token carrying an older version stops working at once. */
    tokenVersion: { type: Number, default: 0 },
    /** Mail me replies to every comment I write (a comment can also opt in on its own). */
    notifyReplies: { type: Boolean, default: false },
    /** Moderators: mail me when my sites' queues get new items. */
    notifyQueue: { type: Boolean, default: false },
    /** Set when the reader deleted the account; the document stays, emptied, for moderation records. */
    deletedAt: { type: Date, default: null },
    /** Prefixes of the words of displayName, kept by the hooks below: name search by equality (nameKeys.ts). */
    nameKeys: { type: [String], default: [] },
  },
  { timestamps: true },
);
userSchema.index({ email: 1 });
userSchema.index({ facebookId: 1 });
userSchema.index({ role: 1 });
userSchema.index({ nameKeys: 1 });

// nameKeys follow displayName, whichever way it is written.
userSchema.pre('save', function () {
  if (this.isNew || this.isModified('displayName')) this.nameKeys = nameKeys(this.displayName);
});
userSchema.pre('insertMany', function (docs: unknown) {
  for (const doc of (Array.isArray(docs) ? docs : [docs]) as { displayName?: unknown; nameKeys?: string[] }[]) {
    if (typeof doc.displayName === 'string') doc.nameKeys = nameKeys(doc.displayName);
  }
});
userSchema.pre(['updateOne', 'updateMany', 'findOneAndUpdate'], function () {
  const update = this.getUpdate();
  if (!update || Array.isArray(update)) return;
  const set = (update.$set ?? {}) as Record<string, unknown>;
  const name = set.displayName ?? (update as Record<string, unknown>).displayName;
  if (typeof name === 'string') this.setUpdate({ ...update, $set: { ...set, nameKeys: nameKeys(name.trim()) } });
});

/** The user a write names by `_id`, or undefined when its filter names several (every copy is then dropped). */
function userOfFilter(filter: Record<string, unknown>): string | undefined {
  const id = filter._id;
  return typeof id === 'string' || id instanceof Types.ObjectId ? String(id) : undefined;
}

/**
 * Every write of a user through the model tells the change feed, after it has landed, so that copies
 * kept in process (the session check's, src/accounts/sessionUsers.ts) are dropped here at once and on
 * other instances within a second. Writes straight to the collection bypass this: do not make them.
 */
const USER_WRITES: MongooseQueryMiddleware[] = [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
  'findOneAndReplace',
];
userSchema.post<Query<unknown, unknown>>(USER_WRITES, { document: false, query: true }, function () {
  const userId = userOfFilter(this.getFilter());
  void publishChange({ type: 'user.changed', siteId: '*', ...(userId ? { userId } : {}) });
});
userSchema.post('save', function (doc: { _id: unknown }) {
  void publishChange({ type: 'user.changed', siteId: '*', userId: String(doc._id) });
});

export type User = InferSchemaType<typeof userSchema>;
export type UserDocument = HydratedDocument<User>;
export const UserModel = model('User', userSchema);

/**
 * One document per sign-in identity, keyed `email:<address>` or `facebook:<id>`. Its `_id` makes
 * the identity unique on every MongoDB-wire server, without relying on sparse or partial indexes.
 */
const identitySchema = new Schema(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
  },
  { timestamps: true },
);
identitySchema.index({ userId: 1 });
export const IdentityModel = model('Identity', identitySchema);
