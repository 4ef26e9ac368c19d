import { createHash } from 'node:crypto';
import type { Schema } from 'mongoose';
import type { Logger } from '../logging/logger';
import type { PostgresqlAccess } from './postgresql';

/*
 * What FerretDB 1.24 sends to PostgreSQL (internal/backends/postgresql/query.go, handler/msg_find.go):
 * - Only top-level equality is pushed down: `{field: value}` or `{field: {$eq: value}}` with a string,
 *   ObjectId, Date, boolean or number, as `_jsonb->$1 @> $2` (the field name is a parameter), ANDed.
 * - Not pushed down (filtered in FerretDB after reading every row the rest matched): $in, $gt/$lt and
 *   other operators, $or/$and, null, arrays, sub-documents, regexes. $ne becomes a NOT (...) no index
 *   serves. Dotted paths are dropped from find/aggregate unless --test-enable-nested-pushdown.
 * - find, count, delete, update, findAndModify, distinct and a leading aggregate $match push down alike.
 * - Sort is never pushed down (only $natural on capped collections), and limit only when the query has
 *   no filter, sort or skip: FerretDB reads every matching row, then sorts and limits in memory.
 * A query is therefore as cheap as the rows its top-level equalities match.
 *
 * FerretDB's own indexes are btree on `(_jsonb->'field')`, which `@>` cannot use. So for every
 * top-level field of every index the models declare (and _id) a GIN index on the same expression is
 * created here, and the private cluster runs with plan_cache_mode=force_custom_plan: with a generic
 * plan PostgreSQL would not know which field `$1` names and would scan.
 */

/** What the index derivation needs of a mongoose model. */
export interface IndexedModel {
  collection: { collectionName: string };
  schema: Pick<Schema, 'indexes'>;
}

/** Collection name → top-level fields that get a GIN index, from the models' declared indexes. */
export function declaredIndexFields(models: Iterable<IndexedModel>): Map<string, Set<string>> {
  const byCollection = new Map<string, Set<string>>();
  for (const model of models) {
    const fields = byCollection.get(model.collection.collectionName) ?? new Set<string>(['_id']);
    for (const [keys] of model.schema.indexes()) {
      for (const [key, kind] of Object.entries(keys)) {
        if (key.includes('.') || key.startsWith('$') || kind === 'text') continue;
        fields.add(key);
      }
    }
    byCollection.set(model.collection.collectionName, fields);
  }
  return byCollection;
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const quoteLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** The GIN index's name: readable in EXPLAIN, within PostgreSQL's 63 characters. */
export function ginIndexName(table: string, field: string): string {
  const hash = createHash('sha256').update(`${table}\0${field}`).digest('hex').slice(0, 8);
  const readable = field.replace(/[^A-Za-z0-9_]/g, '').toLowerCase().slice(0, 20);
  return `${table.slice(0, 29)}_${readable}_gin_${hash}`;
}

/** Collection name → FerretDB's table name, from its metadata table in the database's schema. */
export async function ferretdbTables(pg: PostgresqlAccess, schema: string): Promise<Map<string, string>> {
  const exists = await pg.query(`SELECT to_regclass(${quoteLiteral(`${quoteIdent(schema)}._ferretdb_database_metadata`)}) IS NOT NULL`);
  const tables = new Map<string, string>();
  if (exists.trim() !== 't') return tables;
  const rows = await pg.query(
    `SELECT _jsonb->>'_id' || E'\\t' || (_jsonb->>'table') FROM ${quoteIdent(schema)}._ferretdb_database_metadata`,
  );
  for (const row of rows.split('\n')) {
    const [collection, table] = row.split('\t');
    if (collection && table) tables.set(collection, table);
  }
  return tables;
}

/**
 * Creates the missing GIN expression indexes for the models' declared index fields on FerretDB's
 * tables (run after syncIndexes, so every collection exists). Returns the indexes it created.
 *
 * They are made with `fastupdate = off`. With PostgreSQL's default, a GIN index gathers new entries
 * in a pending list of up to `gin_pending_list_limit` (4 MB) that every scan of the index reads in
 * full, and that only VACUUM, autoanalyze or an insert past the limit empties; so a lookup's cost
 * would depend on how many rows were written lately, not only on what it matches, and the insert
 * that crosses the limit pays for merging them all. Without the list each insert updates the index
 * directly (measured on 50,000 comments: single inserts and thread queries cost the same either way,
 * within noise). Indexes made by an earlier version are switched over and their pending lists merged once.
 */
export async function ensureJsonbIndexes(
  pg: PostgresqlAccess,
  schema: string,
  models: Iterable<IndexedModel>,
  logger: Logger,
): Promise<string[]> {
  const tables = await ferretdbTables(pg, schema);
  const existing = new Set(
    (await pg.query(`SELECT indexname FROM pg_indexes WHERE schemaname = ${quoteLiteral(schema)}`)).split('\n').filter(Boolean),
  );
  const created: string[] = [];
  const statements: string[] = [];
  const analyse = new Set<string>();
  for (const [collection, fields] of declaredIndexFields(models)) {
    const table = tables.get(collection);
    if (!table) continue;
    for (const field of fields) {
      const name = ginIndexName(table, field);
      if (existing.has(name)) continue;
      // jsonb_path_ops: smaller and faster than the default operator class, and it serves @>.
      statements.push(
        `CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${quoteIdent(schema)}.${quoteIdent(table)} ` +
          `USING gin ((_jsonb -> ${quoteLiteral(field)}) jsonb_path_ops) WITH (fastupdate = off);`,
      );
      created.push(name);
      analyse.add(table);
    }
  }
  for (const name of await pendingListIndexes(pg, schema)) {
    const index = `${quoteIdent(schema)}.${quoteIdent(name)}`;
    statements.push(`ALTER INDEX ${index} SET (fastupdate = off);`, `SELECT gin_clean_pending_list(${quoteLiteral(index)}::regclass);`);
  }
  for (const table of analyse) statements.push(`ANALYZE ${quoteIdent(schema)}.${quoteIdent(table)};`);
  // One psql call, one transaction: all of them or none.
  if (statements.length > 0) await pg.query(statements.join('\n'));
  if (created.length > 0) logger.info({ indexes: created.length }, 'created GIN indexes for pushed-down filters');
  return created;
}

/** Our GIN indexes in the schema that still keep a pending list (made before `fastupdate = off`). */
async function pendingListIndexes(pg: PostgresqlAccess, schema: string): Promise<string[]> {
  const rows = await pg.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam ` +
      `WHERE n.nspname = ${quoteLiteral(schema)} AND c.relkind = 'i' AND a.amname = 'gin' AND c.relname LIKE '%\\_gin\\_%' ` +
      `AND NOT coalesce(c.reloptions @> ARRAY['fastupdate=off'], false)`,
  );
  return rows.split('\n').filter(Boolean);
}

/** A filter value as FerretDB passes it: ObjectIds and strings as JSON strings, booleans and numbers as they are. */
export type PushedDownValue = string | number | boolean | { toHexString(): string };

function jsonbParameter(value: PushedDownValue): string {
  if (typeof value === 'object') return JSON.stringify(value.toHexString());
  return JSON.stringify(value);
}

/**
 * EXPLAIN of the exact statement FerretDB sends for a top-level equality filter on a collection
 * (`SELECT _jsonb FROM table WHERE _jsonb->$1 @> $2 AND ...`, prepared, then executed with the
 * values), so the plan is the one PostgreSQL would really choose (the cluster forces custom plans).
 * Returns the plan's lines.
 */
export async function explainPushedDownFilter(
  pg: PostgresqlAccess,
  schema: string,
  collection: string,
  filter: Record<string, PushedDownValue>,
  options: { discourageSeqScan?: boolean; analyze?: boolean } = {},
): Promise<string[]> {
  const table = (await ferretdbTables(pg, schema)).get(collection);
  if (!table) throw new Error(`FerretDB has no table for collection ${collection}`);
  const entries = Object.entries(filter);
  const types = entries.flatMap(() => ['text', 'jsonb']).join(', ');
  const where = entries.map((_, i) => `_jsonb->$${2 * i + 1} @> $${2 * i + 2}`).join(' AND ');
  const args = entries.flatMap(([field, value]) => [quoteLiteral(field), `${quoteLiteral(jsonbParameter(value))}::jsonb`]).join(', ');
  // enable_seqscan=off only makes a scan look expensive: with no index that can serve the filter the
  // plan is still a Seq Scan, so on a small table it shows whether an index could be used at all.
  const setting = options.discourageSeqScan ? 'SET enable_seqscan = off;\n' : '';
  const output = await pg.query(
    `${setting}PREPARE pushed_down(${types}) AS SELECT _jsonb FROM ${quoteIdent(schema)}.${quoteIdent(table)} WHERE ${where};\n` +
      `EXPLAIN ${options.analyze ? '(ANALYZE, TIMING OFF) ' : ''}EXECUTE pushed_down(${args});`,
  );
  return output.split('\n').filter((line) => line.trim() !== '');
}

/** Whether a plan reads through an index rather than scanning the whole table. */
export function planUsesIndex(plan: string[]): boolean {
  return plan.some((line) => /Index Scan|Index Only Scan/.test(line)) && !plan.some((line) => /Seq Scan/.test(line));
}
