import { Schema, Types, model } from 'mongoose';
import { parseMapping } from './articleRule';

/**
 * A mapping uploaded for imports over HTTP (the `map` article rule): the pairs of a mapping file,
 * checked when uploaded, then named by id in `POST /sites/:siteId/imports?articleKey=map&mapping=ID`.
 */
const importMappingSchema = new Schema(
  {
    _id: { type: String, required: true },
    siteId: { type: Schema.Types.ObjectId, ref: 'Site', required: true },
    /** The mapping file as uploaded (checked by `parseMapping` first), parsed again when an import reads it. */
    text: { type: String, required: true },
    entries: { type: Number, required: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);

const ImportMappingModel = model('ImportMapping', importMappingSchema);

/** Checks a mapping file (MappingError for a bad line) and stores it; its id and number of pairs. */
export async function storeMapping(siteId: string, text: string, createdBy: string | null): Promise<{ id: string; entries: number }> {
  const entries = parseMapping(text).size;
  const id = new Types.ObjectId().toHexString();
  await ImportMappingModel.create({ _id: id, siteId, text, entries, createdBy });
  return { id, entries };
}

/** Whether a stored mapping exists for this site (by `_id`, then its site compared). */
export async function mappingBelongsTo(mappingId: string, siteId: string): Promise<boolean> {
  const found = await ImportMappingModel.findById(mappingId, { siteId: 1 }).lean<{ siteId: Types.ObjectId }>();
  return found !== null && String(found.siteId) === siteId;
}

export async function readStoredMapping(mappingId: string): Promise<Map<string, string> | null> {
  const found = await ImportMappingModel.findById(mappingId, { text: 1 }).lean<{ text: string }>();
  return found ? parseMapping(found.text) : null;
}
