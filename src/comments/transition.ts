/**
 * One status transition for every change of a comment's status or text: post, edit, delete,
 * approve, reject, bulk decisions and the hold by flags all go through here, in this order:
 *
 * 1. claim `transition:<commentId>:<revision seen>` (src/db/atomic.ts): of all writers that read the
 *    same revision exactly one goes on, the others get null (409 for a person, skipped in bulk);
 * 2. the update, only if that revision and status are still what the comment has, setting revision + 1;
 *    written under the claim of the comment's write revision, like every write of a comment (the
 *    store's `writeComment`), so a vote at the same moment neither undoes it nor is undone;
 * 3. the bookkeeping: the author's held-comment mark, the article's approved count (exact,
 *    `addExactly`), and the audit entries, side by side;
 * 4. the change published, which moves the article's version at once here and within a second on
 *    every other instance.
 *
 * A new comment has no revision to claim: `insertNewComment` writes it side by side with step 3 (a
 * post is one round of inserts), then does step 4.
 */
import { Types } from 'mongoose';
import { publishChange, type ChangeDetail, type ChangeType, type CommentSnapshot } from '../changes/feed';
import { claim } from '../db/atomic';
import { insertBatched } from '../db/batchedInsert';
import { leanDocument } from '../db/leanDocument';
import { ModerationActionModel, type ModerationActionName } from '../moderation/moderationAction.model';
import { placeOnTransition, settleHeads } from '../moderation/queuePlaces';
import { ensureArticle, recordStatusChange, unrecordNewComment } from './articleVersion';
import type { CommentStatus } from './comment.model';
import { readComment, updateCommentAtRevision } from './store';

export interface AuditEntry {
  action: ModerationActionName;
  actorId?: string | Types.ObjectId | null;
  reason?: string | null;
  note?: string | null;
  /** A decision's fields as they were before it (what an undo restores). */
  before?: Record<string, unknown> | null;
}

/** What a transition needs of the comment as its writer read it. */
export interface SeenComment {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  articleId: string;
  author: { id: Types.ObjectId | null };
  status: CommentStatus;
  revision?: number;
  /** Its place in the moderation queues (read with it, so that staying in a queue keeps the place). */
  flagged?: boolean | null;
  queueBucket?: string | null;
  flagBucket?: string | null;
}

export interface TransitionSpec {
  to: CommentStatus;
  /** Other fields the transition sets (text, reasons, previousStatus, ...). */
  set?: Record<string, unknown>;
  audit: AuditEntry[];
  change: ChangeType;
}

/** Records audit entries about one comment, in one insert. */
export async function recordAudit(comment: Pick<SeenComment, '_id' | 'siteId' | 'author'>, audit: AuditEntry[]): Promise<void> {
  if (audit.length === 0) return;
  const docs = audit.map((entry) =>
    leanDocument(ModerationActionModel, {
      siteId: comment.siteId,
      commentId: comment._id,
      targetUserId: comment.author.id ?? null,
      action: entry.action,
      actorId: entry.actorId ?? null,
      reason: entry.reason ?? null,
      note: entry.note ?? null,
      before: entry.before ?? null,
    }),
  );
  await insertBatched(ModerationActionModel.collection, docs);
}

/** Step 4: the change published, with what this process's caches need to patch pages in memory. */
async function announce(after: SeenComment, before: CommentStatus | null, spec: TransitionSpec, approvedCount: ApprovedCount | undefined): Promise<void> {
  // The comment as written and the article's count travel with the change in this process, so that
  // its cached pages are patched in memory rather than rebuilt from the database.
  const detail: ChangeDetail = {
    ...(isStoredComment(after) ? { comment: after } : {}),
    ...(approvedCount ? { approvedCount } : {}),
  };
  await publishChange(
    {
      type: spec.change,
      siteId: String(after.siteId),
      articleId: after.articleId,
      commentId: String(after._id),
      ...(after.author.id ? { userId: String(after.author.id) } : {}),
      status: spec.to,
      ...(before ? { previousStatus: before } : {}),
    },
    detail,
  );
}

type ApprovedCount = Awaited<ReturnType<typeof recordStatusChange>>;

async function commit(after: SeenComment, before: CommentStatus | null, spec: TransitionSpec): Promise<void> {
  const [approvedCount] = await Promise.all([
    recordStatusChange({ siteId: after.siteId, articleId: after.articleId, authorId: after.author.id }, before, spec.to),
    recordAudit(after, spec.audit),
  ]);
  await announce(after, before, spec, approvedCount);
}

/** Whether the transition was handed a whole stored comment (what the write returned), not just what it needs. */
function isStoredComment(comment: SeenComment): comment is SeenComment & CommentSnapshot {
  const candidate = comment as Partial<CommentSnapshot>;
  return candidate.createdAt instanceof Date && typeof candidate.html === 'string' && typeof candidate.depth === 'number';
}

/**
 * A new comment's insert with steps 3 and 4. The count and the history entries are written side by
 * side with the comment (one round of inserts per post, not two); the change is published only once
 * all three are in. If the comment's insert fails, what was written for it is taken back and the
 * insert's error thrown, unless the comment turns out to be stored (the answer was lost, not the
 * write). The article document must exist before (`ensureArticle`).
 */
export async function insertNewComment(created: SeenComment, insert: () => Promise<void>, spec: TransitionSpec): Promise<void> {
  const [inserted, counted, recorded] = await Promise.allSettled([
    insert(),
    recordStatusChange({ siteId: created.siteId, articleId: created.articleId, authorId: created.author.id }, null, spec.to),
    recordAudit(created, spec.audit),
  ]);
  if (inserted.status === 'rejected' && !(await isStored(created._id))) {
    await Promise.allSettled([
      counted.status === 'fulfilled' ? unrecordNewComment(created, spec.to) : undefined,
      recorded.status === 'fulfilled' ? ModerationActionModel.deleteMany({ commentId: created._id }) : undefined,
    ]);
    throw inserted.reason;
  }
  if (counted.status === 'rejected') throw counted.reason;
  if (recorded.status === 'rejected') throw recorded.reason;
  await announce(created, null, spec, counted.value);
}

/** Whether the comment is stored; false also when that cannot be read (the database is away). */
async function isStored(commentId: Types.ObjectId): Promise<boolean> {
  try {
    return (await readComment(commentId, { _id: 1 })) !== null;
  } catch {
    return false;
  }
}

/**
 * Moves a comment from the status and revision its writer read; null when another writer got there
 * first (the claim or the conditional update found it moved on).
 */
export async function transition<T extends SeenComment>(seen: SeenComment, spec: TransitionSpec): Promise<T | null> {
  const revision = seen.revision ?? 0;
  if (!(await claim(`transition:${String(seen._id)}:${revision}`, { transient: true }))) return null;
  // Before the write, so that a count taken from an older article's comments never includes it twice.
  await ensureArticle(seen.siteId, seen.articleId);
  const flagged = (spec.set?.flagged ?? seen.flagged) === true;
  const place = await placeOnTransition(seen, spec.to, flagged);
  const updated = await updateCommentAtRevision<T>(seen, { ...spec.set, ...place.set, status: spec.to });
  if (!updated) return null;
  await settleHeads(place.entered);
  await commit(updated, seen.status, spec);
  return updated;
}
