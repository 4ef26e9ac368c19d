/**
 * A new document as `new Model(fields).toObject()` makes it (the fields cast by the schema, every default
 * filled, sub-documents' defaults too), without building a mongoose document. On the post path the two
 * mongoose documents (the comment and its history entry) were about a tenth of the service's CPU per post;
 * this is a cast and a copy. Validators do not run: for the service's own writes, whose fields are typed
 * and checked before they get here. `tests/db/leanDocument.test.ts` holds it to what mongoose makes.
 */
import type { Schema, SchemaType } from 'mongoose';

interface Plan {
  /** The defaults that are plain values, as a blank document has them. */
  fixed: Record<string, unknown>;
  /** Defaults made per document (ids, dates, arrays). */
  made: [path: string, make: MakeDefault][];
  /** Single sub-documents: their own defaults, laid under what the fields give. */
  nested: Map<string, Record<string, unknown>>;
}

/** What is used of a mongoose model. */
interface AnyModel {
  new (fields?: Record<string, unknown>): { toObject(): unknown };
  castObject(fields: Record<string, unknown>): unknown;
  schema: Schema;
}

/** A default made per document: a fresh copy of an array default, or the schema's function called (ids, dates). */
type MakeDefault = () => unknown;

const plans = new WeakMap<AnyModel, Plan>();

function planOf(model: AnyModel): Plan {
  const known = plans.get(model);
  if (known) return known;
  const made: Plan['made'] = [];
  const nested = new Map<string, Record<string, unknown>>();
  const blank = new model().toObject() as Record<string, unknown>;
  model.schema.eachPath((path, type) => {
    if (path.includes('.')) return;
    const { defaultValue } = type as SchemaType & { defaultValue?: unknown };
    if (typeof defaultValue === 'function') {
      const value = blank[path];
      made.push([path, Array.isArray(value) ? () => [...(value as unknown[])] : () => (defaultValue as MakeDefault)()]);
    }
    if ((type as SchemaType & { $isSingleNested?: boolean }).$isSingleNested) {
      nested.set(path, (new model({ [path]: {} }).toObject() as Record<string, Record<string, unknown>>)[path] ?? {});
    }
  });
  const fixed = { ...blank };
  for (const [path] of made) delete fixed[path];
  const plan = { fixed, made, nested };
  plans.set(model, plan);
  return plan;
}

/** Copies the keys of `from` that hold a value (mongoose reads an undefined field as unset). */
function assignDefined(to: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(from)) if (from[key] !== undefined) to[key] = from[key];
  return to;
}

export function leanDocument(model: AnyModel, fields: Record<string, unknown>): Record<string, unknown> {
  const plan = planOf(model);
  const cast = model.castObject(fields) as Record<string, unknown>;
  const doc: Record<string, unknown> = { ...plan.fixed };
  for (const [path, make] of plan.made) if (cast[path] === undefined) doc[path] = make();
  assignDefined(doc, cast);
  for (const [path, defaults] of plan.nested) {
    const given = cast[path];
    if (given && typeof given === 'object') doc[path] = assignDefined({ ...defaults }, given as Record<string, unknown>);
  }
  return doc;
}
