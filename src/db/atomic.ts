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
    /** A chained counter's claim (see "Exact counters"): its values at `rev`, and the document they fold into. */
    values: { type: Schema.Types.Mixed, default: undefined },
    rev: { type: Number, default: undefined },
    fold: { type: Schema.Types.Mixed, default: undefined },
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
      await foldBeforeForgetting({ sweep: op({ $lte: last }) });
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
      await foldBeforeForgetting({ sweep: nextBucket });
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
  return insertClaim(key, options.transient === true);
}

/** Inserts the claim (with `payload`, fields that travel in the claim itself); true when it was not there yet. */
async function insertClaim(key: string, transient: boolean, payload: Record<string, unknown> = {}): Promise<boolean> {
  const at = new Date();
  const doc = transient ? { ...payload, _id: key, at, sweep: sweepBucket(at.getTime()) } : { ...payload, _id: key, at };
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
 *
 * Chained counters (`chainCounter`: an article's approved count) skip the document write on the hot
 * path: the claim of revision r carries the values of r+1, so inserting it IS the write, and a counter
 * is read as its document plus the chain of claims after the document's revision (`count:<key>:<r>`,
 * `<r+1>`, ... until one is missing). The writing instance folds the latest values into the document
 * about a second later (one update per counter however many changes), and claims are only swept once
 * the document has passed them (`forgetOldClaims` folds first), so the chain is never cut.
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

/** A counter's document: its `fields` and revision only; null when there is none. */
function findCounterDocument(target: CounterTarget, id: unknown, fields: string[], revField: string): Promise<mongoose.mongo.Document | null> {
  return target.collection.findOne({ _id: id } as mongoose.mongo.Filter<mongoose.mongo.Document>, {
    projection: Object.fromEntries([...fields, revField].map((field) => [field, 1])),
  });
}

/** The counter as a document has it (missing fields and revision read as 0). */
function counterState(doc: mongoose.mongo.Document | null, fields: string[], revField: string): CounterState {
  const number = (field: string): number => (doc && typeof doc[field] === 'number' ? (doc[field] as number) : 0);
  return { rev: number(revField), values: Object.fromEntries(fields.map((field) => [field, number(field)])), at: Date.now() };
}

async function readCounter(target: CounterTarget, id: unknown, fields: string[], revField: string): Promise<CounterState> {
  return counterState(await findCounterDocument(target, id, fields, revField), fields, revField);
}

/** Counters written as chained claims, by `<collection>:<revision field>`. */
const chainedCounters = new Set<string>();
const chainName = (target: CounterTarget, revField: string): string => `${target.collection.collectionName}:${revField}`;

/**
 * Makes the counters under `revField` of this collection chained (see above). Every writer of them
 * must be in a process that declared it (declare at module load, beside the model), and readers read
 * them with `readExactly`.
 */
export function chainCounter(target: CounterTarget, revField: string): void {
  chainedCounters.add(chainName(target, revField));
}

const isChained = (target: CounterTarget, revField: string): boolean => chainedCounters.has(chainName(target, revField));

/** What a chained claim carries: the values at `rev`, and where to fold them. */
interface ChainLink {
  values?: Counts;
  rev?: number;
  fold?: { collection: string; id: unknown; revField: string };
}

/** The counter as its document has it (or `from`, that document as already read), then moved along every chained claim after it. */
async function readChain(target: CounterTarget, id: unknown, fields: string[], revField: string, key: string, from?: CounterState): Promise<CounterState> {
  let state = from ?? (await readCounter(target, id, fields, revField));
  for (;;) {
    const link = await ClaimModel.findById(`count:${key}:${state.rev}`, { values: 1 }).lean<ChainLink>();
    const values = link?.values;
    // No claim: the end. A claim without values: a document write in flight (a late writer's, or an older version's).
    if (!values) return state;
    state = { rev: state.rev + 1, values: Object.fromEntries(fields.map((field) => [field, values[field] ?? 0])), at: Date.now() };
  }
}

/**
 * A counter's exact values and revision now (a chained counter's chain walked); null when its
 * document is missing or lacks one of `fields` (the caller creates it).
 */
export async function readExactly(target: CounterTarget, id: unknown, fields: string[], revField: string): Promise<{ values: Counts; rev: number } | null> {
  const doc = await findCounterDocument(target, id, fields, revField);
  if (!doc || fields.some((field) => typeof doc[field] !== 'number')) return null;
  const documented = counterState(doc, fields, revField);
  const state = isChained(target, revField) ? await readChain(target, id, fields, revField, revisionKey(target, id, revField), documented) : documented;
  return { values: state.values, rev: state.rev };
}

/* Folding: the latest values of a chained counter written into its document, a second after a change. */

const FOLD_DELAY_MS = 1_000;

interface PendingFold {
  target: CounterTarget;
  id: unknown;
  fields: string[];
  revField: string;
  timer: NodeJS.Timeout;
}

const pendingFolds = new Map<string, PendingFold>();
/** Folds under way, per counter: one at a time, so that an older fold never lands after a newer one. */
const runningFolds = new Map<string, Promise<void>>();

/** Writes `values` at `rev` into the document unless it is already there or further. */
async function foldInto(target: CounterTarget, id: unknown, revField: string, values: Counts, rev: number): Promise<void> {
  // A document an older version wrote may have the count without its revision: that is revision 0.
  const behind = { $or: [{ [revField]: { $lt: rev } }, { [revField]: { $exists: false } }] };
  const result = await target.collection.updateOne(
    { _id: id, ...behind } as mongoose.mongo.Filter<mongoose.mongo.Document>,
    { $set: { ...values, [revField]: rev } },
  );
  if (result.matchedCount > 0) return;
  // Already at or past `rev`, or no document yet (then it is created here).
  await insertOnce(() => target.collection.insertOne({ _id: id, ...values, [revField]: rev } as mongoose.mongo.Document));
}

function foldNow(key: string): Promise<void> {
  const fold = pendingFolds.get(key);
  if (!fold) return Promise.resolve();
  clearTimeout(fold.timer);
  pendingFolds.delete(key);
  const before = runningFolds.get(key) ?? Promise.resolve();
  const running: Promise<void> = before.then(() => runFold(key, fold)).finally(() => {
    if (runningFolds.get(key) === running) runningFolds.delete(key);
  });
  runningFolds.set(key, running);
  return running;
}

async function runFold(key: string, fold: PendingFold): Promise<void> {
  try {
    // What this process last wrote, or (forgotten since) the chain read again.
    const known = knownCounters.get(key);
    const latest = known ?? (await readChain(fold.target, fold.id, fold.fields, fold.revField, key));
    await foldInto(fold.target, fold.id, fold.revField, latest.values, latest.rev);
  } catch {
    // The chain still holds the values; the sweep folds before it forgets them.
    scheduleFold(key, fold.target, fold.id, fold.fields, fold.revField);
  }
}

function scheduleFold(key: string, target: CounterTarget, id: unknown, fields: string[], revField: string): void {
  if (pendingFolds.has(key)) return;
  const timer = setTimeout(() => void foldNow(key), FOLD_DELAY_MS);
  timer.unref();
  pendingFolds.set(key, { target, id, fields, revField, timer });
}

/** Folds every pending chained counter now (at shutdown, so that the documents are current). */
export async function foldPendingCounters(): Promise<void> {
  await Promise.all([...[...pendingFolds.keys()].map((key) => foldNow(key)), ...runningFolds.values()]);
}

/** Drops pending folds unwritten (tests stand for a process that died with them). */
export function dropPendingFolds(): void {
  for (const fold of pendingFolds.values()) clearTimeout(fold.timer);
  pendingFolds.clear();
}

/**
 * Before claims are forgotten: every chained counter they moved is folded into its document up to
 * them at least, so that forgetting them cuts no chain (the instance that wrote them may have died
 * before its fold).
 */
async function foldBeforeForgetting(filter: Record<string, unknown>): Promise<void> {
  const links = await ClaimModel.find({ ...filter, fold: op({ $exists: true }) }, { fold: 1, rev: 1, values: 1 }).lean<ChainLink[]>();
  const highest = new Map<string, Required<ChainLink> & { target: CounterTarget }>();
  for (const link of links) {
    if (!link.fold || !link.values || typeof link.rev !== 'number') continue;
    const target = { collection: mongoose.connection.collection(link.fold.collection) as unknown as mongoose.mongo.Collection };
    const key = revisionKey(target, link.fold.id, link.fold.revField);
    const seen = highest.get(key);
    if (!seen || seen.rev < link.rev) highest.set(key, { target, fold: link.fold, rev: link.rev, values: link.values });
  }
  for (const [key, { target, fold, rev, values }] of highest) {
    const fields = Object.keys(values);
    const documented = await readCounter(target, fold.id, fields, fold.revField);
    if (documented.rev >= rev) continue;
    const latest = await readChain(target, fold.id, fields, fold.revField, key, documented);
    await foldInto(target, fold.id, fold.revField, latest.values, latest.rev);
  }
}

/** What a writer read: the document's revision, what it needs of the document, and when it read it. */
interface Seen<D> {
  rev: number;
  doc: D;
  at: number;
}

/** A write decided on what was read. */
interface ClaimedWrite<R> {
  /** Fields the revision's claim carries: for a chained counter, the new values (the claim is the write). */
  payload?: Record<string, unknown>;
  /** Runs once the revision is owned; `late` when it was taken over from a claim whose writer never wrote. */
  write: (nextRev: number, late: boolean) => Promise<R>;
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
  change: (seen: Seen<D>) => ClaimedWrite<R> | null,
): Promise<{ seen: Seen<D>; result: R | null }> {
  let fresh: Seen<D> | undefined;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const seen = fresh ?? known() ?? (await read());
    fresh = undefined;
    const planned = change(seen);
    if (!planned) return { seen, result: null };
    const claimKey = `count:${key}:${seen.rev}`;
    let owned = await insertClaim(claimKey, true, planned.payload);
    // A chained write is done once its claim is in: nothing is left to be late for.
    if (owned && planned.payload) return { seen, result: await planned.write(seen.rev + 1, false) };
    let late = false;
    if (!owned) {
      knownCounters.delete(key);
      const again = await read();
      if (again.rev !== seen.rev) {
        fresh = again;
        continue;
      }
      // Claimed but not written yet: still in flight, or its writer died.
      const at = await claimedAt(claimKey);
      if (at !== null && Date.now() - at > CLAIM_LEASE_MS) owned = late = await claim(`${claimKey}:late`, { transient: true });
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
    return { seen, result: await planned.write(seen.rev + 1, late) };
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
  const chained = isChained(target, revField) && Object.keys(alongside).length === 0;
  const read = async (): Promise<Seen<Counts>> => {
    const state = chained ? await readChain(target, id, fields, revField, key) : await readCounter(target, id, fields, revField);
    return { rev: state.rev, doc: state.values, at: state.at };
  };
  const writeDocument = async (values: Counts, nextRev: number): Promise<void> => {
    await upsertWithRetry(() =>
      target.collection.updateOne(
        { _id: id } as mongoose.mongo.Filter<mongoose.mongo.Document>,
        { $set: { ...alongside, ...values, [revField]: nextRev } },
        { upsert: true },
      ),
    );
  };
  const { seen, result } = await writeAtRevision(key, read, known, (state) => {
    const values = change(state.doc);
    const collection = target.collection.collectionName;
    return {
      ...(chained ? { payload: { values, rev: state.rev + 1, fold: { collection, id, revField } } } : {}),
      write: async (nextRev, late) => {
        if (chained && !late) scheduleFold(key, target, id, fields, revField);
        else await writeDocument(values, nextRev);
        remember(key, { rev: nextRev, values, at: Date.now() });
        return { values, rev: nextRev };
      },
    };
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
  if (isChained(target, revField)) throw new Error(`${key} is a chained counter: its document is written by folds only`);
  const { seen, result } = await writeAtRevision(key, read, () => undefined, (state) => {
    const decided = io.change(state.doc);
    if (decided === null) return null;
    return {
      write: async (nextRev) => {
        const written = await io.write(decided, nextRev);
        // What this instance knew of the document's counts is a revision behind now.
        knownCounters.delete(key);
        return written;
      },
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
