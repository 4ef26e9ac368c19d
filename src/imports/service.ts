import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import mongoose, { Types, trusted } from 'mongoose';
import { UserModel } from '../accounts/user.model';
import { CommentModel, completeNewComments, type CommentStatus, type NewComment } from '../comments/comment.model';
import { settleHeads } from '../moderation/queuePlaces';
import { LruCache } from '../comments/lruCache';
import { renderComment } from '../comments/render';
import { readComment } from '../comments/store';
import { isDuplicateKey } from '../db/errors';
import type { Logger } from '../logging/logger';
import { importedComments } from '../metrics/registry';
import { ModerationActionModel } from '../moderation/moderationAction.model';
import { MODERATION_PHASES, moderateComment, type ModerationReason } from '../moderation/pipeline';
import { getSite, siteSettings } from '../sites/service';
import type { SiteSettings } from '../sites/site.model';
import { claimWork } from '../webhooks/claim.model';
import { touchImportedArticles } from './articles';
import { articleIdFor, readMappingFile, type ArticleRule } from './articleRule';
import { readStoredMapping } from './mapping';
import { formatReader } from './formats';
import { ImportJobModel, StagedCommentModel, type ImportJobRecord } from './importJob.model';
import type { ImportFormat, SourceComment } from './sourceComment';
import { htmlToText } from './text';
import { ImportFormatError, readXmlRecords } from './xmlRecords';

/** How long a run may stay silent before another process may take the job over. */
export const IMPORT_LEASE_MS = 30_000;

export interface ImportProgress {
  phase: 'checking' | 'publishing';
  read: number;
  bytesRead: number;
  bytes: number;
  published: number;
  total: number | null;
}

export interface RunOptions {
  logger: Logger;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops the run between batches; the job stays `running` and can be resumed. */
  signal?: AbortSignal;
  /** Replies kept in memory while they wait for a parent later in the file, and comments per batch (tests lower them). */
  maxWaiting?: number;
  batchSize?: number;
}

export class ImportAborted extends Error {
  override name = 'ImportAborted';
}

/** The comment's id in Threadline: the same for the same source comment on every run. */
export function importedCommentId(siteId: string, format: ImportFormat, sourceId: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(`${siteId}\u0000${format}\u0000${sourceId}`).digest('hex').slice(0, 24));
}

export interface NewImport {
  id?: string;
  siteId: string;
  format: ImportFormat;
  articleRule: ArticleRule;
  /** For the map rule: a mapping file (command line) or a stored mapping's id (HTTP). */
  mappingFile?: string | null;
  mappingId?: string | null;
  hold?: boolean;
  file: string;
  ownsFile?: boolean;
  bytes: number;
  createdBy?: string | null;
}

export async function createImportJob(input: NewImport): Promise<ImportJobRecord> {
  await getSite(input.siteId);
  const created = await ImportJobModel.create({
    _id: input.id ?? new Types.ObjectId().toHexString(),
    siteId: input.siteId,
    format: input.format,
    articleRule: input.articleRule,
    mappingFile: input.mappingFile ?? null,
    mappingId: input.mappingId ?? null,
    hold: input.hold ?? false,
    file: input.file,
    ownsFile: input.ownsFile ?? false,
    bytes: input.bytes,
    createdBy: input.createdBy ?? null,
  });
  return created.toObject() as ImportJobRecord;
}

export async function findImportJob(importId: string): Promise<ImportJobRecord | null> {
  return ImportJobModel.findById(importId).lean<ImportJobRecord>();
}

/** The job as the API shows it (API.md: id, status, processed, total?, error?), with its details. */
export function toImportJson(job: ImportJobRecord): Record<string, unknown> {
  return {
    id: job._id,
    status: job.status,
    processed: job.published,
    ...(job.total !== null ? { total: job.total } : {}),
    ...(job.error ? { error: job.error.line !== null ? `line ${job.error.line}: ${job.error.reason}` : job.error.reason } : {}),
    format: job.format,
    articleKey: job.articleRule,
    hold: job.hold,
    phase: job.phase,
    read: job.read,
    inserted: job.inserted,
    skipped: job.skipped,
    bytes: job.bytes,
    bytesRead: job.bytesRead,
    createdAt: job.createdAt.toISOString(),
    finishedAt: job.finishedAt ? job.finishedAt.toISOString() : null,
  };
}

interface PreparedComment {
  /** Its place among the file's comments (from 1). */
  position: number;
  commentId: Types.ObjectId;
  siteId: Types.ObjectId;
  articleId: string;
  parentId: Types.ObjectId | null;
  author: { id: Types.ObjectId | null; displayName: string; guestEmail: string | null };
  body: string;
  html: string;
  status: CommentStatus;
  previousStatus: CommentStatus | null;
  reasons: ModerationReason[];
  createdAt: Date;
  deletedAt: Date | null;
  /** What the source said, for the comment's history. */
  source: { status: CommentStatus; said: string };
  imported: { format: ImportFormat; sourceId: string; importId: string; authorUrl: string | null; authorIp: string | null };
}

/** Replies waiting for their parents, stored as one document per thousand (only past MAX_WAITING). */
interface StagedChunk {
  _id: string;
  importId: string;
  comments: PreparedComment[];
}

/** A comment placed in its thread, ready to insert. */
interface Ready {
  prepared: PreparedComment;
  comment: NewComment & { _id: Types.ObjectId } & Record<string, unknown>;
}

/** Where a comment sits in its thread: what a reply placed under it needs. */
interface Place {
  _id: Types.ObjectId;
  articleId: string;
  ancestors: Types.ObjectId[];
  depth: number;
  rootId: Types.ObjectId | null;
}

/** Only the content rules judge history: guests and first comments were somebody's call back then. */
const HOLD_PHASES = MODERATION_PHASES.filter((phase) => phase.name !== 'guest' && phase.name !== 'premoderation');

/** Comments inserted per batch. */
const PUBLISH_BATCH = 1000;
/** Replies waiting for a parent later in the file, kept in memory up to this many. */
const MAX_WAITING = 20_000;
/** Places of comments published in this run, kept for their replies (bytes; older ones are read back by `_id`). */
const PLACE_CACHE_BYTES = 48 * 2 ** 20;

const FORMAT_NAMES: Record<ImportFormat, string> = { wxr: 'a WordPress export (WXR)', disqus: 'a Disqus export' };

/** The history entry of an imported comment: one per comment, whichever import brought it in first. */
export function importedHistoryId(commentId: Types.ObjectId): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(`imported\u0000${commentId.toHexString()}`).digest('hex').slice(0, 24));
}

/**
 * Inserts documents with `ordered: false`; a document whose `_id` is already there is skipped (a
 * rerun, or a resumed run). Returns the positions of the documents refused as duplicates.
 */
async function insertOrSkip(collection: mongoose.mongo.Collection, docs: { _id: unknown }[]): Promise<Set<number>> {
  if (docs.length === 0) return new Set();
  try {
    await collection.insertMany(docs as mongoose.mongo.OptionalId<mongoose.mongo.Document>[], { ordered: false });
    return new Set();
  } catch (err) {
    const bulk = err as { writeErrors?: unknown };
    const errors = (Array.isArray(bulk.writeErrors) ? bulk.writeErrors : bulk.writeErrors ? [bulk.writeErrors] : []) as { index?: number }[];
    if (errors.length === 0 || !errors.every(isDuplicateKey)) throw err;
    return new Set(errors.map((error) => error.index ?? -1));
  }
}

class ImportRun {
  private readonly job: ImportJobRecord;
  private readonly siteId: string;
  private settings!: SiteSettings;
  private wordListVersion = 0;
  private readonly accounts = new LruCache<{ id: Types.ObjectId; displayName: string } | null>(10_000);
  private readonly places = new LruCache<Place>(PLACE_CACHE_BYTES);
  /** Parents looked for by `_id` and not found (yet): not looked for again. */
  private readonly absent = new Set<string>();
  private readonly articles = new Set<string>();
  private progress: ImportProgress;

  constructor(
    job: ImportJobRecord,
    private readonly options: RunOptions,
  ) {
    this.job = { ...job };
    this.siteId = String(job.siteId);
    this.progress = { phase: 'checking', read: 0, bytesRead: 0, bytes: job.bytes, published: job.published, total: job.total };
  }

  private checkAborted(): void {
    if (this.options.signal?.aborted) throw new ImportAborted('the import was stopped; it resumes from its checkpoint');
  }

  private async save(update: Partial<ImportJobRecord>): Promise<void> {
    Object.assign(this.job, update);
    await ImportJobModel.updateOne({ _id: this.job._id }, { $set: { ...update, leaseUntil: new Date(Date.now() + IMPORT_LEASE_MS) } });
  }

  private report(update: Partial<ImportProgress>): void {
    this.progress = { ...this.progress, ...update };
    this.options.onProgress?.(this.progress);
  }

  async run(): Promise<ImportJobRecord> {
    const site = await getSite(this.siteId);
    this.settings = siteSettings(site);
    this.wordListVersion = site.wordListVersion ?? 0;
    try {
      const mapping = await this.mapping();
      if (this.job.phase === 'checking') await this.check(mapping);
      if (this.job.phase === 'publishing') await this.publish(mapping);
    } catch (err) {
      if (err instanceof ImportFormatError) {
        await this.fail(err.line, err.reason);
        return this.job;
      }
      throw err;
    }
    return this.job;
  }

  private async fail(line: number | null, reason: string): Promise<void> {
    await StagedCommentModel.deleteMany({ importId: this.job._id });
    await this.save({ status: 'failed', error: { line, reason }, finishedAt: new Date() });
    await this.dropFile();
    this.options.logger.info({ importId: this.job._id, line, reason }, 'import failed; nothing of it was published');
  }

  private async dropFile(): Promise<void> {
    if (this.job.ownsFile) await rm(this.job.file, { force: true });
  }

  private async mapping(): Promise<ReadonlyMap<string, string> | undefined> {
    if (this.job.articleRule !== 'map') return undefined;
    if (this.job.mappingId) {
      const mapping = await readStoredMapping(this.job.mappingId);
      if (!mapping) throw new ImportFormatError(null, 'the mapping of this import is gone');
      return mapping;
    }
    if (this.job.mappingFile) {
      try {
        return await readMappingFile(this.job.mappingFile);
      } catch (err) {
        throw new ImportFormatError(null, err instanceof Error ? err.message : String(err));
      }
    }
    throw new ImportFormatError(null, 'the map rule needs a mapping');
  }

  /**
   * Pass 1: read and check the whole file, writing nothing: a malformed file fails here, with its
   * line and reason, before any of it is published. Counts what pass 2 will publish.
   */
  private async check(mapping: ReadonlyMap<string, string> | undefined): Promise<void> {
    const reader = formatReader(this.job.format);
    let read = 0;
    let skipped = 0;
    let saved = Date.now();
    await readXmlRecords(this.job.file, reader.spec, async (records, progress) => {
      this.checkAborted();
      for (const record of records) {
        const source = reader.comment(record);
        if (!source) continue;
        read += 1;
        if (!articleIdFor(source.article, this.job.articleRule, mapping)) skipped += 1;
      }
      // The lease is renewed as the reading goes, so that no other process takes a long check over.
      if (Date.now() - saved > IMPORT_LEASE_MS / 6) {
        saved = Date.now();
        await this.save({ read, skipped, bytesRead: progress.bytesRead });
      }
      this.report({ phase: 'checking', read, bytesRead: progress.bytesRead, bytes: progress.bytesTotal });
    });
    await this.save({ phase: 'publishing', total: read - skipped, read, skipped, checkpoint: 0, published: 0 });
    this.report({ phase: 'publishing', total: read - skipped });
  }

  /** Verified accounts by email; everyone else stays a guest author. */
  private async accountsFor(emails: string[]): Promise<void> {
    const unknown = [...new Set(emails)].filter((email) => this.accounts.get(email) === undefined);
    for (const email of unknown) {
      const user = await UserModel.findOne({ email, emailVerified: true }, { displayName: 1 }).lean();
      this.accounts.set(email, user ? { id: user._id, displayName: user.displayName } : null, 1);
    }
  }

  private async prepare(items: { source: SourceComment; articleId: string; position: number }[]): Promise<PreparedComment[]> {
    await this.accountsFor(items.flatMap((item) => (item.source.authorEmail ? [item.source.authorEmail] : [])));
    const { format } = this.job;
    return items.map(({ source, articleId, position }) => {
      const commentId = importedCommentId(this.siteId, format, source.sourceId);
      const account = source.authorEmail ? this.accounts.get(source.authorEmail) ?? null : null;
      const gone = source.status === 'deleted';
      const body = gone ? '' : htmlToText(source.content);
      let status = source.status;
      let reasons: ModerationReason[] = [];
      if (this.job.hold && status === 'approved') {
        const decision = moderateComment(
          {
            site: { id: this.siteId, settings: this.settings, wordListVersion: this.wordListVersion },
            author: { id: account ? String(account.id) : null, role: account ? 'commenter' : 'guest', hasApprovedComment: true },
            body,
            isEdit: false,
          },
          HOLD_PHASES,
        );
        status = decision.status;
        reasons = decision.reasons;
      }
      return {
        position,
        commentId,
        siteId: new Types.ObjectId(this.siteId),
        articleId,
        parentId: source.parentSourceId ? importedCommentId(this.siteId, format, source.parentSourceId) : null,
        author: account
          ? { id: account.id, displayName: account.displayName, guestEmail: null }
          : { id: null, displayName: source.authorName.slice(0, 100), guestEmail: source.authorEmail },
        body,
        html: gone ? '' : renderComment(body).html,
        status,
        previousStatus: null,
        reasons,
        createdAt: source.createdAt,
        deletedAt: gone ? source.createdAt : null,
        source: { status: source.status, said: source.sourceStatus },
        imported: { format, sourceId: source.sourceId, importId: this.job._id, authorUrl: source.authorUrl, authorIp: source.authorIp },
      };
    });
  }

  /**
   * Pass 2: read the file again and insert its comments into their threads in batches, each under
   * its parent (placed earlier in this run, in the same batch, or read by `_id` from an earlier
   * import). A reply met before its parent waits in memory until the parent is in; past
   * MAX_WAITING they wait in the staging collection instead; at the end, one whose parent is not
   * in the file becomes a root. Inserts skip ids already there (ids derive from the source's), so a
   * resumed or repeated run adds nothing twice. The checkpoint is the position in the file before
   * which everything is in, or staged.
   */
  private async publish(mapping: ReadonlyMap<string, string> | undefined): Promise<void> {
    // What was checked is what is published: a file changed since (the command line's) is refused.
    const { size } = await stat(this.job.file);
    if (size !== this.job.bytes) throw new ImportFormatError(null, `the file changed after it was checked (${this.job.bytes} bytes then, ${size} now); start a new import`);
    const reader = formatReader(this.job.format);
    const checkpoint = this.job.checkpoint;
    let position = 0;
    let batch: { source: SourceComment; articleId: string; position: number }[] = [];
    let waiting: PreparedComment[] = [];
    let published = 0;
    // One batch is written while the next is read and prepared: reading is this process's work,
    // writing the database's, and the machine has more than one core.
    let writing: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      let ready: Ready[] = [];
      if (batch.length > 0) {
        const docs = waiting.concat(await this.prepare(batch));
        batch = [];
        await this.findParents(docs);
        ({ ready, rest: waiting } = this.place(docs, false));
      }
      const spill = waiting.length > (this.options.maxWaiting ?? MAX_WAITING) ? waiting : null;
      if (spill) waiting = [];
      // Past the checkpoint only what is in (or staged): a reply waiting in memory holds it back.
      const update: Partial<ImportJobRecord> = { published, ...(waiting.length === 0 ? { checkpoint: Math.max(position, checkpoint) } : {}) };
      const at = position;
      await writing;
      writing = (async () => {
        this.checkAborted();
        await this.write(ready);
        if (spill) await this.stageWaiting(spill, at);
        await this.save({ ...update, inserted: this.job.inserted });
        this.report({ phase: 'publishing', published: update.published });
      })();
      // Awaited at the next batch or below; marked handled so that a failure waits for that await.
      writing.catch(() => undefined);
    };
    try {
      await readXmlRecords(this.job.file, reader.spec, async (records) => {
        this.checkAborted();
        for (const record of records) {
          const source = reader.comment(record);
          if (!source) continue;
          position += 1;
          const articleId = articleIdFor(source.article, this.job.articleRule, mapping);
          if (!articleId) continue;
          published += 1;
          // Articles a run before this one wrote to are reconciled at the end too.
          this.articles.add(articleId);
          if (position <= checkpoint) continue;
          batch.push({ source, articleId, position });
          if (batch.length >= (this.options.batchSize ?? PUBLISH_BATCH)) await flush();
        }
      });
      await flush();
    } finally {
      await writing.catch(() => undefined);
    }
    await writing;
    const cursor = StagedCommentModel.collection.find<StagedChunk>({ importId: this.job._id }).batchSize(1);
    for await (const chunk of cursor) waiting = await this.publishBatch(waiting.concat(chunk.comments), false);
    while (waiting.length > 0) {
      const before = waiting.length;
      waiting = await this.publishBatch(waiting, false);
      if (waiting.length === before) waiting = await this.publishBatch(waiting, true);
    }
    await touchImportedArticles(this.siteId, this.articles);
    await StagedCommentModel.deleteMany({ importId: this.job._id });
    await this.save({ phase: 'done', status: 'done', published: this.job.total ?? published, finishedAt: new Date() });
    await this.dropFile();
  }

  /** Replies still waiting for their parents, kept in the database rather than in memory. */
  private async stageWaiting(waiting: PreparedComment[], position: number): Promise<void> {
    for (let start = 0; start < waiting.length; start += PUBLISH_BATCH) {
      const chunk: StagedChunk = { _id: `${this.job._id}:${String(position).padStart(12, '0')}:${start}`, importId: this.job._id, comments: waiting.slice(start, start + PUBLISH_BATCH) };
      await insertOrSkip(StagedCommentModel.collection, [chunk]);
    }
  }

  private remember(place: Place): void {
    this.absent.delete(place._id.toHexString());
    // Measured: about 850 bytes a place with its ObjectIds (heap and their buffers) and Map entry.
    this.places.set(place._id.toHexString(), place, 800 + place.articleId.length * 2 + place.ancestors.length * 16);
  }

  /** Parents neither placed in this run nor in this batch: read by `_id` (comments of an earlier import). */
  private async findParents(docs: PreparedComment[]): Promise<void> {
    const inBatch = new Set(docs.map((doc) => doc.commentId.toHexString()));
    const wanted = new Set<string>();
    for (const doc of docs) {
      const key = doc.parentId?.toHexString();
      if (key && !inBatch.has(key) && !this.absent.has(key) && this.places.get(key) === undefined) wanted.add(key);
    }
    for (const key of wanted) {
      const found = await readComment<Place & { siteId: Types.ObjectId }>(key);
      if (found && String(found.siteId) === this.siteId) this.remember(found);
      else this.absent.add(key);
    }
  }

  /** Publishes what can be placed now; returns the replies whose parents are not in yet. */
  private async publishBatch(docs: PreparedComment[], orphansAsRoots: boolean): Promise<PreparedComment[]> {
    if (docs.length === 0) return [];
    this.checkAborted();
    await this.findParents(docs);
    const { ready, rest } = this.place(docs, orphansAsRoots);
    await this.write(ready);
    await this.save({ inserted: this.job.inserted });
    return rest;
  }

  /**
   * Places what can be placed now under its parent (in memory): the comments to insert, and the
   * replies whose parents are not in yet.
   */
  private place(docs: PreparedComment[], orphansAsRoots: boolean): { ready: Ready[]; rest: PreparedComment[] } {
    const inBatch = new Set(docs.map((doc) => doc.commentId.toHexString()));
    const maxDepth = this.settings.maxDepth;
    const ready: Ready[] = [];
    let rest = docs;
    for (;;) {
      const next: PreparedComment[] = [];
      for (const doc of rest) {
        const parentKey = doc.parentId?.toHexString();
        const parent = parentKey ? this.places.get(parentKey) : undefined;
        if (parentKey && !parent && (inBatch.has(parentKey) || !orphansAsRoots)) {
          next.push(doc);
          continue;
        }
        let place: Omit<Place, '_id' | 'articleId'> = { ancestors: [], depth: 0, rootId: doc.commentId };
        if (parent && parent.articleId === doc.articleId) {
          const depth = Math.min(parent.depth + 1, maxDepth);
          place = { ancestors: [...parent.ancestors, parent._id].slice(0, depth), depth, rootId: parent.rootId ?? parent._id };
        }
        this.remember({ _id: doc.commentId, articleId: doc.articleId, ...place });
        inBatch.delete(doc.commentId.toHexString());
        ready.push({
          prepared: doc,
          comment: {
            _id: doc.commentId,
            siteId: doc.siteId,
            articleId: doc.articleId,
            parentId: place.ancestors[place.ancestors.length - 1] ?? null,
            rootId: place.rootId,
            ancestors: place.ancestors,
            depth: place.depth,
            author: doc.author,
            body: doc.body,
            html: doc.html,
            status: doc.status,
            previousStatus: doc.previousStatus,
            reasons: doc.reasons,
            score: 0,
            upvotes: 0,
            downvotes: 0,
            flagCount: 0,
            flagged: false,
            flagsReviewed: 0,
            editedAt: null,
            deletedAt: doc.deletedAt,
            revision: 0,
            createdAt: doc.createdAt,
            updatedAt: doc.createdAt,
            imported: doc.imported,
          },
        });
        this.articles.add(doc.articleId);
      }
      if (next.length === 0) {
        rest = next;
        break;
      }
      if (next.length === rest.length) {
        // No progress: the rest wait for parents outside this batch, or (when orphans become roots)
        // form a loop of parents, which the first one breaks by becoming a root.
        if (!orphansAsRoots) break;
        next[0] = { ...next[0], parentId: null };
      }
      rest = next;
    }
    return { ready, rest };
  }

  /**
   * Inserts placed comments and their "imported" history entries (both insert-or-skip, side by
   * side: a comment whose entry was lost to a crash gets it when its batch is written again from
   * the checkpoint), and tallies what was new.
   */
  private async write(ready: Ready[]): Promise<void> {
    if (ready.length === 0) return;
    const at = new Date();
    // Every comment takes its places in the moderation queues before it is written (a duplicate's are
    // left unused), and the queues' heads are settled once the batch is in.
    const entered = await completeNewComments(ready.map(({ comment }) => comment));
    const [, refused] = await Promise.all([
      insertOrSkip(
        ModerationActionModel.collection,
        ready.map(({ prepared }) => importedHistoryEntry(prepared, at)),
      ),
      insertOrSkip(
        CommentModel.collection,
        ready.map(({ comment }) => comment),
      ),
    ]);
    await settleHeads(entered);
    const inserted = ready.length - refused.size;
    importedComments.inc({ format: this.job.format }, inserted);
    this.job.inserted += inserted;
  }
}

/** "Imported from a WordPress export (WXR), where it was approved (wp:comment_approved "1"); held: suspect-word". */
function importedHistoryEntry(prepared: PreparedComment, at: Date): { _id: Types.ObjectId } & Record<string, unknown> {
  const held = prepared.status !== prepared.source.status ? `; held by today's rules (${prepared.reasons.map((reason) => reason.code).join(', ')})` : '';
  return {
    _id: importedHistoryId(prepared.commentId),
    siteId: prepared.siteId,
    commentId: prepared.commentId,
    targetUserId: null,
    action: 'imported',
    actorId: null,
    reason: prepared.source.status,
    note: `Imported from ${FORMAT_NAMES[prepared.imported.format]}, where it was ${prepared.source.status} (${prepared.source.said}), source id ${prepared.imported.sourceId}${held}.`,
    at,
  };
}

/**
 * Runs (or resumes) one import job to its end. Only the process whose claim `import:<id>:<run>` is
 * inserted first works on it; returns null when another process has it.
 */
export async function runImport(importId: string, options: RunOptions): Promise<ImportJobRecord | null> {
  const job = await findImportJob(importId);
  if (!job || job.status !== 'running') return job;
  const run = job.runs + 1;
  if (!(await claimWork(`import:${importId}:${run}`))) return null;
  await ImportJobModel.updateOne({ _id: importId }, { $set: { runs: run, leaseUntil: new Date(Date.now() + IMPORT_LEASE_MS) } });
  return new ImportRun({ ...job, runs: run }, options).run();
}

/** Jobs whose run went silent (a crash or a stop): resumed from their checkpoints, one at a time. */
export async function resumeStalledImports(options: RunOptions): Promise<number> {
  const stalled = await ImportJobModel.find({ status: 'running', leaseUntil: trusted({ $lt: new Date() }) }, { _id: 1 }).lean<{ _id: string }[]>();
  let resumed = 0;
  for (const { _id } of stalled) {
    const result = await runImport(_id, options);
    if (result) resumed += 1;
  }
  return resumed;
}

/**
 * Resumes stalled imports now and then (at start, then every `intervalMs`), so a job whose process
 * died is finished by whichever instance claims it first.
 */
export function startImportResumer(options: { logger: Logger; intervalMs?: number }): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = (): void => {
    running ??= resumeStalledImports({ logger: options.logger })
      .then((resumed) => {
        if (resumed > 0) options.logger.info({ resumed }, 'resumed stalled imports');
      })
      .catch((err: unknown) => options.logger.warn({ err }, 'could not resume imports'))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, 1000);
  const timer = setInterval(tick, options.intervalMs ?? IMPORT_LEASE_MS);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
