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
 */
import mongoose, { Schema, model } from 'mongoose';
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
  },
  { versionKey: false },
);

/** One document per claim; its `_id` names what was claimed. */
export const ClaimModel = model('Claim', claimSchema);

/** Claims are forgotten this long after they were made, by the instance that made them (see `forgetLater`). */
export const CLAIM_RETENTION_MS = 120_000;

const toForget: { key: string; at: number }[] = [];
let forgetting: Promise<number> | null = null;

/**
 * A claim that only guards a moment (one revision of a document) is deleted by its `_id` once that
 * moment is long past, from a queue in the instance that made it: no range scan over the claims.
 */
function forgetLater(key: string): void {
  toForget.push({ key, at: Date.now() });
  if (toForget.length > 100_000) toForget.splice(0, toForget.length - 100_000);
}

/**
 * Deletes this instance's claims older than the retention; called from a timer and by tests. A call made
 * while another runs waits for it, then makes its own pass (with its own `now`), rather than doing nothing.
 */
export async function forgetOldClaims(now = Date.now(), retentionMs = CLAIM_RETENTION_MS): Promise<number> {
  while (forgetting) await forgetting.catch(() => 0);
  const run = (async () => {
    let forgotten = 0;
    while (toForget.length > 0 && now - toForget[0].at >= retentionMs) {
      const { key } = toForget[0];
      await ClaimModel.deleteOne({ _id: key });
      toForget.shift();
      forgotten += 1;
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

/**
 * True when this caller now owns `key`; false when someone else claimed it first. `transient` claims
 * guard one moment (a revision) and are deleted after CLAIM_RETENTION_MS; the others stay.
 */
export async function claim(key: string, options: { transient?: boolean } = {}): Promise<boolean> {
  const won = (await insertOnce(() => ClaimModel.create({ _id: key, at: new Date() }))) !== null;
  if (won && options.transient) forgetLater(key);
  return won;
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

/**
 * The claimed read-modify-write under every exact change: reads `fields` and the revision (or trusts
 * this instance's recent knowledge of them), claims the revision, writes `change(values)` (plus
 * `alongside`, fields that never change) at the next revision. Returns the values before and after.
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
  const known = (): CounterState | undefined => {
    const cached = knownCounters.get(key);
    return cached && Date.now() - cached.at < CLAIM_LEASE_MS / 4 && fields.every((f) => f in cached.values) ? cached : undefined;
  };
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const state = known() ?? (await readCounter(target, id, fields, revField));
    const claimKey = `count:${key}:${state.rev}`;
    let owned = await claim(claimKey, { transient: true });
    if (!owned) {
      knownCounters.delete(key);
      const fresh = await readCounter(target, id, fields, revField);
      if (fresh.rev === state.rev) {
        // Claimed but not written yet: still in flight, or its writer died.
        const at = await claimedAt(claimKey);
        if (at !== null && Date.now() - at > CLAIM_LEASE_MS) owned = await claim(`${claimKey}:late`, { transient: true });
        if (!owned) {
          await delay(1 + Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
          continue;
        }
      } else {
        remember(key, fresh);
        continue;
      }
    }
    if (Date.now() - state.at > CLAIM_LEASE_MS / 2) {
      // Too slow to trust what was read; the claim expires and someone else takes over.
      knownCounters.delete(key);
      continue;
    }
    const values = change(state.values);
    const next: CounterState = { rev: state.rev + 1, values, at: Date.now() };
    await upsertWithRetry(() =>
      target.collection.updateOne(
        { _id: id } as mongoose.mongo.Filter<mongoose.mongo.Document>,
        { $set: { ...alongside, ...values, [revField]: next.rev } },
        { upsert: true },
      ),
    );
    remember(key, next);
    return { before: state.values, after: values, rev: next.rev };
  }
  // Most often a writer lost its database mid-change and its claim has not expired yet: the caller
  // should retry shortly, like any other moment the database cannot serve it (503).
  throw new DatabaseTimeoutError(`${key} stayed contended`);
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
  const key = `${target.collection.collectionName}:${String(id)}:${revField}`;
  return changeClaimed(target, id, fields, revField, key, change, alongside);
}

/**
 * Adds `deltas` to number fields of the document `id` (created if missing) exactly once, whatever else
 * changes them at the same time, here or on another instance; returns their values after this change
 * (and any summed with it). `revField` is the revision kept beside these fields; every caller that moves
 * one of them must name the same fields and revision. The document's other fields are left alone.
 * The values returned include `revField`: the revision they were written at.
 */
export function addExactly(target: CounterTarget, id: unknown, deltas: Counts, revField: string): Promise<Counts> {
  const key = `${target.collection.collectionName}:${String(id)}:${revField}`;
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
  return applyDeltas(target, id, revField, `${target.collection.collectionName}:${String(id)}:${revField}`, deltas);
}

/** Forgets what this instance knows of counters (tests simulate a second instance with it). */
export function forgetKnownCounters(): void {
  knownCounters.clear();
}
