import { Schema, model, type InferSchemaType, type HydratedDocument, type Types } from 'mongoose';
import { placeNewComments, placesOf, settleHeads, type Entered, type QueuePlace } from '../moderation/queuePlaces';
import { REASON_CODES } from '../moderation/pipeline';

export const COMMENT_STATUSES = ['approved', 'pending', 'rejected', 'deleted'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];

// The reason codes come from the moderation phases: adding a phase adds its codes here too.
export { REASON_CODES, type ReasonCode } from '../moderation/pipeline';

const matchSchema = new Schema({ start: { type: Number, required: true }, end: { type: Number, required: true } }, { _id: false });

const reasonSchema = new Schema(
  {
    code: { type: String, enum: REASON_CODES, required: true },
    detail: { type: String },
    /** Word reasons only: UTF-16 offsets of each matched word in `body`, end exclusive. */
    matches: { type: [matchSchema], default: undefined },
  },
  { _id: false },
);

const authorSchema = new Schema(
  {
    id: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    displayName: { type: String, required: true },
    /** Set for guest comments only; never shown to readers. */
    guestEmail: { type: String, default: null },
    /** A guest's optional website, shown as the link of their name. */
    guestWebsite: { type: String, default: null },
    /** The author deleted their account: the comment is a tombstone signed "deleted account". */
    accountDeleted: { type: Boolean, default: false },
  },
  { _id: false },
);

/**
 * A comment or reply. The thread shape is denormalised (`rootId`, `ancestors`, `depth`) so that a
 * page of a thread is one query for its roots and one for all their descendants.
 */
const commentSchema = new Schema(
  {
    siteId: { type: Schema.Types.ObjectId, ref: 'Site', required: true },
    articleId: { type: String, required: true },
    parentId: { type: Schema.Types.ObjectId, default: null },
    /** The thread's root comment; a root points at itself. */
    rootId: { type: Schema.Types.ObjectId, default: null },
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    depth: { type: Number, default: 0 },
    author: { type: authorSchema, required: true },
    /** `author.id` at the top level, where FerretDB can filter on it (it drops dotted paths): every per-author query. */
    authorId: { type: Schema.Types.ObjectId, default: null },
    body: { type: String, default: '' },
    html: { type: String, default: '' },
    status: { type: String, enum: COMMENT_STATUSES, required: true },
    /** Status before deletion or flagging, kept so that a moderator can tell what changed. */
    previousStatus: { type: String, enum: COMMENT_STATUSES, default: null },
    reasons: { type: [reasonSchema], default: [] },
    score: { type: Number, default: 0 },
    upvotes: { type: Number, default: 0 },
    downvotes: { type: Number, default: 0 },
    /**
     * Moves with every change of score, upvotes and downvotes (so that reports of them can be ordered,
     * as `revision` orders reports of the status and text).
     */
    voteRev: { type: Number, default: 0 },
    /**
     * The write revision: every write of this document (votes, status changes, flags, featuring, ...)
     * claims the revision it read and writes the next one (`writeClaimed` / `addExactly` in
     * src/db/atomic.ts), so on a server that updates by reading then writing the whole document no
     * write can undo another.
     */
    writeRev: { type: Number, default: 0 },
    flagCount: { type: Number, default: 0 },
    /** True while flags hold the comment for review. */
    flagged: { type: Boolean, default: false },
    /** Flags a moderator already answered by approving; only flags beyond these count towards the threshold again. */
    flagsReviewed: { type: Number, default: 0 },
    /** The author asked to be mailed replies to this comment. */
    notifyReplies: { type: Boolean, default: false },
    editedAt: { type: Date, default: null },
    deletedAt: { type: Date, default: null },
    /** When a moderator featured it (editors' pick); null when not featured. */
    featuredAt: { type: Date, default: null },
    /** Incremented on every status change; moderators' transitions are conditional on it. */
    revision: { type: Number, default: 0 },
    /** The comment's place in its site's pending or rejected queue, and in the flagged queue (src/moderation/queuePlaces.ts). */
    queueBucket: { type: String, default: null },
    queueSeq: { type: Number, default: null },
    flagBucket: { type: String, default: null },
    flagSeq: { type: Number, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: true } },
);
commentSchema.index({ siteId: 1, articleId: 1, parentId: 1, createdAt: 1, _id: 1 });
commentSchema.index({ siteId: 1, articleId: 1, parentId: 1, score: -1, _id: -1 });
commentSchema.index({ rootId: 1, createdAt: 1 });
commentSchema.index({ siteId: 1, articleId: 1, status: 1 });
// One reader's held comments in an article, merged into the cached public page (narrowed by the article first).
commentSchema.index({ siteId: 1, articleId: 1, 'author.id': 1, status: 1 });
// A queue page is read one bucket at a time, by equality (FerretDB pushes it down, the GIN index serves it).
commentSchema.index({ queueBucket: 1, queueSeq: 1 });
commentSchema.index({ flagBucket: 1, flagSeq: 1 });
// One author's comments (rename, deletion, export), oldest or newest first.
commentSchema.index({ authorId: 1, createdAt: -1 });
// An author's comments on a site by status (the console's author record), by top-level equality.
commentSchema.index({ authorId: 1, siteId: 1, status: 1 });
// An article's featured comments, and a site's comments newest first (console search).
commentSchema.index({ siteId: 1, articleId: 1, featuredAt: -1 });
commentSchema.index({ siteId: 1, createdAt: -1, _id: -1 });

export interface NewComment {
  siteId: Types.ObjectId | string;
  status?: CommentStatus | null;
  flagged?: boolean | null;
  author?: { id?: Types.ObjectId | null } | null;
  authorId?: Types.ObjectId | null;
}

/**
 * What every new comment carries besides its own fields: `authorId` and its places in the moderation
 * queues. The hooks below apply it to whatever mongoose inserts; code inserting through the driver
 * calls it, then `settleHeads` with what it returns once the insert is done.
 */
export function completeNewComments(docs: NewComment[]): Promise<Entered[]> {
  for (const doc of docs) doc.authorId = doc.author?.id ?? null;
  return placeNewComments(docs);
}

commentSchema.pre('save', async function () {
  if (this.isNew) await completeNewComments([this]);
});
// Once written, a place taken behind its queue's head moves the head back (queuePlaces.ts).
commentSchema.post('save', async function () {
  await settleHeads(placesOf(this));
});
commentSchema.pre('insertMany', async function (docs: unknown) {
  await completeNewComments((Array.isArray(docs) ? docs : [docs]) as NewComment[]);
});
commentSchema.post('insertMany', async function (docs: unknown) {
  await settleHeads(((Array.isArray(docs) ? docs : [docs]) as QueuePlace[]).flatMap(placesOf));
});

export type Comment = InferSchemaType<typeof commentSchema>;
export type CommentDocument = HydratedDocument<Comment>;
export const CommentModel = model('Comment', commentSchema);
