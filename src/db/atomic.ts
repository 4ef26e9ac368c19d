/**
 * The atomic tools, each written once. Every race in the service is settled by one of them, because
 * on some MongoDB-wire servers (FerretDB) an update's condition and its write are separate steps, so
 * neither a conditional update nor `$inc` is safe under concurrency there; a duplicate `_id` is refused
 * everywhere.
 *
 * - `op`: marks an operator written by our code (filters are sanitised globally).
 * - `claim` / `insertOnce`: decide a race by inserting a document with a unique `_id`.
 * - `upsertWithRetry`: an upsert that a simultaneous upsert of the same `_id` cannot fail.
 * - `addExactly`: exact increments of a counter field, on every server and across instances.
 * - `writeClaimed`: any other write of a document with exact counts, under the same revision claim.
 */
import mongoose, { Schema, model } from 'mongoose';
import { insertBatched } from './batchedInsert';
import { DatabaseTimeoutError } from './connection';
import { isDuplicateKey } from './errors';

export { isDuplicateKey };

/** Filters are sanitised globally; operators written here, from validated values, are marked as ours. */
export const op = <T extends object>(operator: T): T => mongoose.trusted(operator) as T;

/**
 * Runs an upsert, and once more when a simultaneous upsert of the same `_id` won the insert: MongoDB
 * retries that case itself, FerretDB reports a duplicate key, and the second try updates the document
 * that now exists.
 */
export async function upsertWithRetry<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return upsert();
  }
}

/** Inserts a document whose `_id` decides a race: the document, or null when that `_id` already exists. */
export async function insertOnce<T>(insert: () => Promise<T>): Promise<T | null> {
  try {
    return await insert();
  } catch (err) {
    if (isDuplicateKey(err)) return null;
    throw err;
  }
}

const claimSchema = new Schema(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    /** A transient claim's sweep bucket (see `forgetOldClaims`); absent on claims that stay. */
    sweep: { type: Number, default: undefined },
  },
  { versionKey: false },
);
// A whole bucket is deleted by one equality, which FerretDB pushes down and a GIN index serves.
claimSchema.index({ sweep: 1 });

/** One document per claim; its `_id` names what was claimed. */
export const ClaimModel = model('Claim', claimSchema);

/** Claims are forgotten this long after they were made (at most one sweep bucket later). */
export const CLAIM_RETENTION_MS = 120_000;
/** Transient claims made within one such period share a sweep bucket. */
export const CLAIM_SWEEP_BUCKET_MS = 30_000;

const sweepBucket = (at: number): number => Math.floor(at / CLAIM_SWEEP_BUCKET_MS);

/** The next bucket this process will sweep; null until its first pass. */
let nextBucket: number | null = null;
let forgetting: Promise<number> | null = null;

/** Keys of claims an earlier version made transient without a bucket: they guard revisions, which never come back. */
const LEGACY_TRANSIENT = /^(count|transition):/;

/**
 * Deletes transient claims older than the retention, a whole sweep bucket at a time: one pushed-down
 * `deleteMany({sweep})` per 30 seconds of claims, whoever made them, rather than one delete per claim
 * (under load that was a delete per post). A process's first pass also removes what earlier runs left
 * behind, by one range query. Called from a timer and by tests; a call made while another runs waits
 * for it, then makes its own pass (with its own `now`). Returns how many claims went.
 */
export async function forgetOldClaims(now = Date.now(), retentionMs = CLAIM_RETENTION_MS): Promise<number> {
  while (forgetting) await forgetting.catch(() => 0);
  const run = (async () => {
    // Every claim of bucket b was made before (b + 1) * bucket: the last bucket wholly past the retention.
    const last = sweepBucket(now - retentionMs) - 1;
    let forgotten = 0;
    if (nextBucket === null) {
      const leftovers = await ClaimModel.deleteMany({
        $or: [
          { sweep: op({ $lte: last }) },
          { sweep: op({ $exists: false }), _id: LEGACY_TRANSIENT, at: op({ $lt: new Date(now - retentionMs) }) },
        ],
      });
      forgotten += leftovers.deletedCount;
      nextBucket = last + 1;
    }
    for (; nextBucket <= last; nextBucket += 1) {
      forgotten += (await ClaimModel.deleteMany({ sweep: nextBucket })).deletedCount;
    }
    return forgotten;
  })();
  forgetting = run;
  try {
    return await run;
  } finally {
    if (forgetting === run) forgetting = null;
  }
}

/** Makes the next `forgetOldClaims` a first pass again (tests simulate a fresh process with it). */
export function resetClaimSweep(): void {
  nextBucket = null;
}

/**
 * True when this caller now owns `key`; false when someone else claimed it first. `transient` claims
 * guard one moment (a revision) and are deleted once CLAIM_RETENTION_MS has passed; the others stay.
 */
export async function claim(key: string, options: { transient?: boolean } = {}): Promise<boolean> {
  const at = new Date();
  const doc = options.transient ? { _id: key, at, sweep: sweepBucket(at.getTime()) } : { _id: key, at };
  // Sent with the other claims being made right now: one insert for all of them.
  return (await insertOnce(() => insertBatched(ClaimModel.collection, [doc]).then(() => true))) !== null;
}

/** When `key` was claimed, or null if it is not (or no longer) claimed. */
async function claimedAt(key: string): Promise<number | null> {
  const found = await ClaimModel.findById(key, { at: 1 }).lean<{ at: Date }>();
  return found ? found.at.getTime() : null;
}

/* ------------------------------------------------------------------------------------------------
 * Exact counters.
 *
 * Counters are number fields on a document plus a revision field beside them (one revision for a set
 * of fields that move together, such as a comment's score and vote tallies). Moving them from revision
 * r needs the claim `count:<collection>:<id>:<revision field>:<r>`: of all writers that read
 * revision r exactly one wins, writes value+delta at revision r+1, and every other re-reads. Within one
 * instance the changes of one counter queue up and are summed into one claim and one write, so 50
 * simultaneous increments cost a few round trips rather than 50 retries. A writer that claimed and then
 * died would block the counter; after CLAIM_LEASE_MS a waiter takes its place with a second claim, and a
 * writer whose claim is older than half the lease gives up rather than write late.
 * ---------------------------------------------------------------------------------------------- */

export const CLAIM_LEASE_MS = 10_000;

type Counts = Record<string, number>;

interface CounterState {
  rev: number;
  values: Counts;
  /** When this state was read or written: older states are read again rather than trusted. */
  at: number;
}

interface CounterTarget {
  collection: mongoose.mongo.Collection;
}

interface Batch {
  deltas: Counts;
  waiters: { resolve: (values: Counts) => void; reject: (err: unknown) => void }[];
}

const knownCounters = new Map<string, CounterState>();
const batches = new Map<string, Batch>();
const lanes = new Map<string, Promise<void>>();

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function remember(key: string, state: CounterState): void {
  knownCounters.delete(key);
  knownCounters.set(key, state);
  if (knownCounters.size > 10_000) {
    const oldest = knownCounters.keys().next();
    if (!oldest.done) knownCounters.delete(oldest.value);
  }
}

async function readCounter(target: CounterTarget, id: unknown, fields: string[], revField: string): Promise<CounterState> {
  const doc = await target.collection.findOne({ _id: id } as mongoose.mongo.Filter<mongoose.mongo.Document>, {
    projection: Object.fromEntries([...fields, revField].map((field) => [field, 1])),
  });
  const number = (field: string): number => (doc && typeof doc[field] === 'number' ? (doc[field] as number) : 0);
  return { rev: number(revField), values: Object.fromEntries(fields.map((field) => [field, number(field)])), at: Date.now() };
}

/** What a writer read: the document's revision, what it needs of the document, and when it read it. */
interface Seen<D> {
  rev: number;
  doc: D;
  at: number;
}

/**
 * The claimed read-modify-write under every write this module settles: reads the document (or trusts
 * `known`, this instance's recent knowledge of it), asks `change` what to write (null: nothing, and
 * nothing is claimed), claims `count:<key>:<revision read>`, and runs the write at the next revision.
 * Of all writers that read revision r exactly one wins; the others read again and decide again.
 */
async function writeAtRevision<D, R>(
  key: string,
  read: () => Promise<Seen<D>>,
  known: () => Seen<D> | undefined,
  change: (seen: Seen<D>) => ((nextRev: number) => Promise<R>) | null,
): Promise<{ seen: Seen<D>; result: R | null }> {
  let fresh: Seen<D> | undefined;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const seen = fresh ?? known() ?? (await read());
    fresh = undefined;
    const write = change(seen);
    if (!write) return { seen, result: null };
    const claimKey = `count:${key}:${seen.rev}`;
    let owned = await claim(claimKey, { transient: true });
    if (!owned) {
      knownCounters.delete(key);
      const again = await read();
      if (again.rev !== seen.rev) {
        fresh = again;
        continue;
      }
      // Claimed but not written yet: still in flight, or its writer died.
      const at = await claimedAt(claimKey);
      if (at !== null && Date.now() - at > CLAIM_LEASE_MS) owned = await claim(`${claimKey}:late`, { transient: true });
      if (!owned) {
        await delay(1 + Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
        continue;
      }
    }
    if (Date.now() - seen.at > CLAIM_LEASE_MS / 2) {
      // Too slow to trust what was read; the claim expires and someone else takes over.
      knownCounters.delete(key);
      continue;
    }
    return { seen, result: await write(seen.rev + 1) };
  }
  // Most often a writer lost its database mid-change and its claim has not expired yet: the caller
  // should retry shortly, like any other moment the database cannot serve it (503).
  throw new DatabaseTimeoutError(`${key} stayed contended`);
}

/**
 * The claimed change under every exact count: reads `fields` and the revision (or trusts this
 * instance's recent knowledge of them), and writes `change(values)` (plus `alongside`, fields that
 * never change) at the next revision. Returns the values before and after.
 */
async function changeClaimed(
  target: CounterTarget,
  id: unknown,
  fields: string[],
  revField: string,
  key: string,
  change: (values: Counts) => Counts,
  alongside: Record<string, unknown> = {},
): Promise<{ before: Counts; after: Counts; rev: number }> {
  const known = (): Seen<Counts> | undefined => {
    const cached = knownCounters.get(key);
    return cached && Date.now() - cached.at < CLAIM_LEASE_MS / 4 && fields.every((f) => f in cached.values)
      ? { rev: cached.rev, doc: cached.values, at: cached.at }
      : undefined;
  };
  const read = async (): Promise<Seen<Counts>> => {
    const state = await readCounter(target, id, fields, revField);
    return { rev: state.rev, doc: state.values, at: state.at };
  };
  const { seen, result } = await writeAtRevision(key, read, known, (state) => async (nextRev) => {
    const values = change(state.doc);
    await upsertWithRetry(() =>
      target.collection.updateOne(
        { _id: id } as mongoose.mongo.Filter<mongoose.mongo.Document>,
        { $set: { ...alongside, ...values, [revField]: nextRev } },
        { upsert: true },
      ),
    );
    remember(key, { rev: nextRev, values, at: Date.now() });
    return { values, rev: nextRev };
  });
  if (!result) throw new Error('unreachable: a count always changes');
  return { before: seen.doc, after: result.values, rev: result.rev };
}

/** The key under which a document's revision field is claimed, by counts and by `writeClaimed` alike. */
export function revisionKey(target: CounterTarget, id: unknown, revField: string): string {
  return `${target.collection.collectionName}:${String(id)}:${revField}`;
}

/**
 * Writes one document under the claim of its revision field `revField`, the same claim its exact
 * counts (`addExactly` with that `revField`) take, so no write of the document can undo another on a
 * server that updates by reading and writing the whole document. `read` reads the document (null when
 * missing); `change` says what to write given what was read (null: nothing, and nothing is claimed);
 * `write` writes it with `revField` set to the revision given, and returns what it wrote. Retries on
 * a newer read whenever another writer won the revision. Returns the document as last read and what
 * the write returned (null when `change` declined).
 */
export async function writeClaimed<D extends Record<string, unknown>, C, R>(
  target: CounterTarget,
  id: unknown,
  revField: string,
  io: {
    read: () => Promise<D | null>;
    change: (doc: D | null) => C | null;
    write: (change: C, nextRev: number) => Promise<R>;
  },
): Promise<{ doc: D | null; written: R | null }> {
  const key = revisionKey(target, id, revField);
  const read = async (): Promise<Seen<D | null>> => {
    const doc = await io.read();
    const rev = doc && typeof doc[revField] === 'number' ? (doc[revField] as number) : 0;
    return { rev, doc, at: Date.now() };
  };
  const { seen, result } = await writeAtRevision(key, read, () => undefined, (state) => {
    const decided = io.change(state.doc);
    if (decided === null) return null;
    return async (nextRev) => {
      const written = await io.write(decided, nextRev);
      // What this instance knew of the document's counts is a revision behind now.
      knownCounters.delete(key);
      return written;
    };
  });
  return { doc: seen.doc, written: result };
}

async function applyDeltas(target: CounterTarget, id: unknown, revField: string, key: string, deltas: Counts): Promise<Counts> {
  const fields = Object.keys(deltas);
  const { after, rev } = await changeClaimed(target, id, fields, revField, key, (values) =>
    Object.fromEntries(fields.map((field) => [field, values[field] + deltas[field]])),
  );
  // The revision written beside them, so that readers can order values reported by several writers.
  return { ...after, [revField]: rev };
}

/**
 * Sets number fields of the document `id` (created if missing, with `alongside` set too) to what
 * `change` makes of their current values, exactly once and never over a simultaneous change (here or
 * on another instance); returns the values before and after. Missing fields read as 0.
 */
export function setExactly(
  target: CounterTarget,
  id: unknown,
  fields: string[],
  revField: string,
  change: (values: Counts) => Counts,
  alongside: Record<string, unknown> = {},
): Promise<{ before: Counts; after: Counts }> {
  return changeClaimed(target, id, fields, revField, revisionKey(target, id, revField), change, alongside);
}

/**
 * Adds `deltas` to number fields of the document `id` (created if missing) exactly once, whatever else
 * changes them at the same time, here or on another instance; returns their values after this change
 * (and any summed with it). `revField` is the revision kept beside these fields; every caller that moves
 * one of them must name the same fields and revision. The document's other fields are left alone.
 * The values returned include `revField`: the revision they were written at.
 */
export function addExactly(target: CounterTarget, id: unknown, deltas: Counts, revField: string): Promise<Counts> {
  const key = revisionKey(target, id, revField);
  let batch = batches.get(key);
  const promise = new Promise<Counts>((resolve, reject) => {
    if (!batch) {
      batch = { deltas: {}, waiters: [] };
      batches.set(key, batch);
      const own = batch;
      const previous = lanes.get(key) ?? Promise.resolve();
      const run = previous.then(async () => {
        batches.delete(key);
        try {
          const values = await applyDeltas(target, id, revField, key, own.deltas);
          for (const waiter of own.waiters) waiter.resolve(values);
        } catch (err) {
          for (const waiter of own.waiters) waiter.reject(err);
        }
      });
      lanes.set(key, run);
      void run.then(() => {
        if (lanes.get(key) === run) lanes.delete(key);
      });
    }
    for (const [field, delta] of Object.entries(deltas)) batch.deltas[field] = (batch.deltas[field] ?? 0) + delta;
    batch.waiters.push({ resolve, reject });
  });
  return promise;
}

/**
 * The same change without this instance's queue and without summing: what another instance's
 * `addExactly` amounts to. For tests of exactness across instances.
 */
export function addExactlyAlone(target: CounterTarget, id: unknown, deltas: Counts, revField: string): Promise<Counts> {
  return applyDeltas(target, id, revField, revisionKey(target, id, revField), deltas);
}

/** Forgets what this instance knows of counters (tests simulate a second instance with it). */
export function forgetKnownCounters(): void {
  knownCounters.clear();
}
