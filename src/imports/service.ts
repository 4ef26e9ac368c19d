import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import mongoose, { Types, trusted } from 'mongoose';
import { UserModel } from '../accounts/user.model';
import { CommentModel, completeNewComments, type CommentStatus, type NewComment } from '../comments/comment.model';
import { settleHeads } from '../moderation/queuePlaces';
import { LruCache } from '../comments/lruCache';
import { renderComment } from '../comments/render';
import { isDuplicateKey } from '../db/errors';
import type { Logger } from '../logging/logger';
import { importedComments } from '../metrics/registry';
import { MODERATION_PHASES, moderateComment, type ModerationReason } from '../moderation/pipeline';
import { getSite, siteSettings } from '../sites/service';
import type { SiteSettings } from '../sites/site.model';
import { claimWork } from '../webhooks/claim.model';
import { touchImportedArticles } from './articles';
import { articleIdFor, readMappingFile, type ArticleRule } from './articleRule';
import { formatReader } from './formats';
import { ImportJobModel, StagedCommentModel, type ImportJobRecord } from './importJob.model';
import type { ImportFormat, SourceComment } from './sourceComment';
import { htmlToText } from './text';
import { ImportFormatError, readXmlRecords } from './xmlRecords';

/** How long a run may stay silent before another process may take the job over. */
export const IMPORT_LEASE_MS = 30_000;
const PUBLISH_BATCH = 1000;

export interface ImportProgress {
  phase: 'staging' | 'publishing';
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
  mappingFile?: string | null;
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

interface StagedComment {
  _id: string;
  importId: string;
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
  imported: { format: ImportFormat; sourceId: string; importId: string; authorUrl: string | null; authorIp: string | null };
}

/** Only the content rules judge history: guests and first comments were somebody's call back then. */
const HOLD_PHASES = MODERATION_PHASES.filter((phase) => phase.name !== 'guest' && phase.name !== 'premoderation');

/**
 * Inserts documents, skipping those whose `_id` is among `existing` or is refused as a duplicate;
 * returns how many were new. (Existing ids are found by indexed equality queries, never `_id: {$in}`,
 * which FerretDB answers by reading the whole collection.)
 */
async function insertOrSkip(collection: mongoose.mongo.Collection, all: { _id: unknown }[], existing?: ReadonlySet<string>): Promise<number> {
  const docs = existing ? all.filter((doc) => !existing.has(String(doc._id))) : all;
  if (docs.length === 0) return 0;
  try {
    const result = await collection.insertMany(docs as mongoose.mongo.OptionalId<mongoose.mongo.Document>[], { ordered: false });
    return result.insertedCount;
  } catch (err) {
    const bulk = err as { writeErrors?: unknown; insertedCount?: number; result?: { insertedCount?: number } };
    const errors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : bulk.writeErrors ? [bulk.writeErrors] : [];
    if (errors.length === 0 || !errors.every(isDuplicateKey)) throw err;
    return bulk.insertedCount ?? bulk.result?.insertedCount ?? docs.length - errors.length;
  }
}

class ImportRun {
  private readonly job: ImportJobRecord;
  private readonly siteId: string;
  private settings!: SiteSettings;
  private wordListVersion = 0;
  private readonly accounts = new LruCache<{ id: Types.ObjectId; displayName: string } | null>(10_000);
  private readonly articles = new Set<string>();
  private readonly authors = new Set<string>();
  private progress: ImportProgress;

  constructor(
    job: ImportJobRecord,
    private readonly options: RunOptions,
  ) {
    this.job = { ...job };
    this.siteId = String(job.siteId);
    this.progress = { phase: 'staging', read: 0, bytesRead: 0, bytes: job.bytes, published: job.published, total: job.total };
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
      if (this.job.phase === 'staging') await this.stage();
      if (this.job.phase === 'publishing') await this.publish();
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

  /** Pass 1: read and check the whole file, staging each comment under this import. */
  private async stage(): Promise<void> {
    const reader = formatReader(this.job.format);
    const mapping = this.job.articleRule === 'map' && this.job.mappingFile ? await readMappingFile(this.job.mappingFile) : undefined;
    if (this.job.articleRule === 'map' && !mapping) throw new ImportFormatError(0, 'the map rule needs a mapping file');
    const checkpoint = this.job.staged;
    let read = 0;
    let skipped = 0;
    await readXmlRecords(this.job.file, reader.spec, async (records, progress) => {
      this.checkAborted();
      const fresh: { source: SourceComment; articleId: string }[] = [];
      for (const record of records) {
        const source = reader.comment(record);
        if (!source) continue;
        read += 1;
        const articleId = articleIdFor(source.article, this.job.articleRule, mapping);
        if (!articleId) {
          skipped += 1;
          continue;
        }
        if (read > checkpoint) fresh.push({ source, articleId });
      }
      if (fresh.length > 0) {
        const docs = await this.toStaged(fresh);
        await insertOrSkip(StagedCommentModel.collection, docs);
      }
      if (fresh.length > 0 || read <= checkpoint || records.length > 0) {
        await this.save({ staged: Math.max(read, checkpoint), read, skipped, bytesRead: progress.bytesRead });
      }
      this.report({ phase: 'staging', read, bytesRead: progress.bytesRead, bytes: progress.bytesTotal });
    });
    await this.save({ phase: 'publishing', total: read - skipped, read, skipped, staged: read });
    this.report({ phase: 'publishing', total: read - skipped });
  }

  /** Verified accounts by email; everyone else stays a guest author. */
  private async accountsFor(emails: string[]): Promise<void> {
    const unknown = [...new Set(emails)].filter((email) => this.accounts.get(email) === undefined);
    if (unknown.length === 0) return;
    for (const email of unknown) {
      const user = await UserModel.findOne({ email, emailVerified: true }, { displayName: 1 }).lean();
      this.accounts.set(email, user ? { id: user._id, displayName: user.displayName } : null, 1);
    }
  }

  private async toStaged(items: { source: SourceComment; articleId: string }[]): Promise<StagedComment[]> {
    await this.accountsFor(items.flatMap((item) => (item.source.authorEmail ? [item.source.authorEmail] : [])));
    const { format } = this.job;
    return items.map(({ source, articleId }) => {
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
            author: { id: account ? String(account.id) : null, role: account ? 'commenter' : 'guest', approvedCommentCount: 1 },
            body,
            isEdit: false,
          },
          HOLD_PHASES,
        );
        status = decision.status;
        reasons = decision.reasons;
      }
      return {
        _id: `${this.job._id}:${commentId.toHexString()}`,
        importId: this.job._id,
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
        imported: { format, sourceId: source.sourceId, importId: this.job._id, authorUrl: source.authorUrl, authorIp: source.authorIp },
      };
    });
  }

  /**
   * Pass 2: insert the staged comments into their threads, each under its parent (read from this
   * batch or from the comments already published). A reply met before its parent waits until the
   * parent is in; one whose parent is not in the file becomes a root. Insert-or-skip, so a resumed
   * or repeated run adds nothing twice.
   */
  private async publish(): Promise<void> {
    await this.save({ published: 0 });
    let waiting: StagedComment[] = [];
    let batch: StagedComment[] = [];
    const cursor = StagedCommentModel.collection.find<StagedComment>({ importId: this.job._id }).batchSize(PUBLISH_BATCH);
    for await (const doc of cursor) {
      batch.push(doc);
      if (batch.length >= PUBLISH_BATCH) {
        waiting = waiting.concat(await this.publishBatch(batch, false));
        batch = [];
      }
    }
    waiting = waiting.concat(await this.publishBatch(batch, false));
    while (waiting.length > 0) {
      const before = waiting.length;
      waiting = await this.publishBatch(waiting, false);
      if (waiting.length === before) waiting = await this.publishBatch(waiting, true);
    }
    await touchImportedArticles(this.siteId, this.articles);
    await this.recountAuthors();
    await StagedCommentModel.deleteMany({ importId: this.job._id });
    await this.save({ phase: 'done', status: 'done', published: this.job.total ?? this.job.published, finishedAt: new Date() });
    await this.dropFile();
  }

  /** Publishes what can be placed now; returns the replies whose parents are not in yet. */
  private async publishBatch(docs: StagedComment[], orphansAsRoots: boolean): Promise<StagedComment[]> {
    if (docs.length === 0) return [];
    this.checkAborted();
    type Place = { _id: Types.ObjectId; articleId: string; ancestors: Types.ObjectId[]; depth: number; rootId: Types.ObjectId | null };
    const places = new Map<string, Place>();
    const inBatch = new Set(docs.map((doc) => doc.commentId.toHexString()));
    // What each article already holds: the comments to skip, and the parents to place replies under
    // (a parent is always in its reply's article; one elsewhere makes the reply a root).
    for (const articleId of new Set(docs.map((doc) => doc.articleId))) {
      const present = await CommentModel.find(
        { siteId: new Types.ObjectId(this.siteId), articleId },
        { articleId: 1, ancestors: 1, depth: 1, rootId: 1 },
      ).lean<Place[]>();
      for (const comment of present) places.set(String(comment._id), comment);
    }
    const existing = new Set(places.keys());
    const maxDepth = this.settings.maxDepth;
    const ready: ({ _id: Types.ObjectId } & Record<string, unknown>)[] = [];
    let rest = docs;
    for (;;) {
      const next: StagedComment[] = [];
      for (const doc of rest) {
        const parentKey = doc.parentId?.toHexString();
        const parent = parentKey ? places.get(parentKey) : undefined;
        if (parentKey && !parent && (inBatch.has(parentKey) || !orphansAsRoots)) {
          next.push(doc);
          continue;
        }
        let place: Omit<Place, '_id' | 'articleId'> = { ancestors: [], depth: 0, rootId: doc.commentId };
        if (parent && parent.articleId === doc.articleId) {
          const depth = Math.min(parent.depth + 1, maxDepth);
          place = { ancestors: [...parent.ancestors, parent._id].slice(0, depth), depth, rootId: parent.rootId ?? parent._id };
        }
        places.set(doc.commentId.toHexString(), { _id: doc.commentId, articleId: doc.articleId, ...place });
        ready.push({
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
        });
        this.articles.add(doc.articleId);
        if (doc.author.id) this.authors.add(String(doc.author.id));
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
    const entered = await completeNewComments(ready.filter((doc) => !existing.has(String(doc._id))) as unknown as NewComment[]);
    const inserted = await insertOrSkip(CommentModel.collection, ready, existing);
    await settleHeads(entered);
    importedComments.inc({ format: this.job.format }, inserted);
    const published = this.job.published + ready.length;
    await this.save({ published, inserted: this.job.inserted + inserted });
    this.report({ phase: 'publishing', published });
    return rest;
  }

  /** Matched accounts' approved-comment counts (for the first-comment rule), recounted from their comments. */
  private async recountAuthors(): Promise<void> {
    for (const userId of this.authors) {
      const approved = await CommentModel.countDocuments({ 'author.id': new Types.ObjectId(userId), status: 'approved' });
      await UserModel.updateOne({ _id: userId }, { $set: { approvedCommentCount: approved } });
    }
  }
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
