import { Schema, model, type Types } from 'mongoose';
import { IMPORT_FORMATS, type ImportFormat } from './sourceComment';
import { ARTICLE_RULES, type ArticleRule } from './articleRule';

export const IMPORT_STATUSES = ['running', 'done', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const IMPORT_PHASES = ['checking', 'publishing', 'done'] as const;
export type ImportPhase = (typeof IMPORT_PHASES)[number];

/**
 * One import run and its checkpoint. `checkpoint` is how many comments of the file are published
 * (or staged, waiting for their parents): a resumed run reads past them without writing; `runs` numbers the claims `import:<id>:<run>`, so
 * only one process works on a job at a time; `leaseUntil` tells others when a silent run has died.
 */
const importJobSchema = new Schema(
  {
    _id: { type: String, required: true },
    siteId: { type: Schema.Types.ObjectId, ref: 'Site', required: true },
    format: { type: String, enum: IMPORT_FORMATS, required: true },
    articleRule: { type: String, enum: ARTICLE_RULES, required: true },
    /** For the `map` rule: the mapping file (command line), or a mapping uploaded beforehand (HTTP). */
    mappingFile: { type: String, default: null },
    mappingId: { type: String, default: null },
    hold: { type: Boolean, default: false },
    file: { type: String, required: true },
    /** Uploaded files are the service's to delete once the job ends. */
    ownsFile: { type: Boolean, default: false },
    bytes: { type: Number, default: 0 },
    bytesRead: { type: Number, default: 0 },
    status: { type: String, enum: IMPORT_STATUSES, default: 'running' },
    phase: { type: String, enum: IMPORT_PHASES, default: 'checking' },
    read: { type: Number, default: 0 },
    checkpoint: { type: Number, default: 0 },
    skipped: { type: Number, default: 0 },
    total: { type: Number, default: null },
    published: { type: Number, default: 0 },
    inserted: { type: Number, default: 0 },
    error: { type: new Schema({ line: { type: Number, default: null }, reason: { type: String, required: true } }, { _id: false }), default: null },
    runs: { type: Number, default: 0 },
    leaseUntil: { type: Date, default: () => new Date(0) },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
importJobSchema.index({ status: 1, leaseUntil: 1 });

export interface ImportJobRecord {
  _id: string;
  siteId: Types.ObjectId;
  format: ImportFormat;
  articleRule: ArticleRule;
  mappingFile: string | null;
  mappingId: string | null;
  hold: boolean;
  file: string;
  ownsFile: boolean;
  bytes: number;
  bytesRead: number;
  status: ImportStatus;
  phase: ImportPhase;
  read: number;
  checkpoint: number;
  skipped: number;
  total: number | null;
  published: number;
  inserted: number;
  error: { line: number | null; reason: string } | null;
  runs: number;
  leaseUntil: Date;
  createdAt: Date;
  finishedAt: Date | null;
}

export const ImportJobModel = model('ImportJob', importJobSchema);

/**
 * Replies that wait for a parent later in the file, once too many wait to keep them in memory: one
 * document per thousand under their import (`comments`), read back at the end of the run and
 * deleted with it. Each comment's id is derived from the source's own id.
 */
const stagedSchema = new Schema({ _id: { type: String, required: true }, importId: { type: String, required: true } }, { strict: false, versionKey: false });
stagedSchema.index({ importId: 1 });
export const StagedCommentModel = model('ImportStagedComment', stagedSchema);
