/**
 * A streaming XML reader that turns an export file into flat records, in bounded memory: the file is
 * read in chunks, decoded in its declared encoding, fed to saxes, and the records each chunk completes
 * are handed to the caller, who finishes with them (database writes) before the next chunk is read.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { SaxesParser } from 'saxes';

/** A file that cannot be imported, with the line where that was found. */
export class ImportFormatError extends Error {
  override name = 'ImportFormatError';
  constructor(
    /** null when the fault is not in the file (the mapping it is read with). */
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? reason : `line ${line}: ${reason}`);
  }
}

/** One element chosen by the caller, with the text of its descendants keyed by relative path. */
export interface XmlRecord {
  name: string;
  /** The line where the element opened. */
  line: number;
  /** Attributes of the element itself. */
  attributes: Record<string, string>;
  /** `child/grandchild` → text (CDATA included); `child@attr` → attribute value. */
  fields: Map<string, string>;
  /** The record this one is nested in (a WXR item for its comments), as read so far. */
  container: XmlRecord | null;
}

export interface RecordSpec {
  /** Whether an element opening at this depth (root = 0) under `parents` starts a record. */
  isRecord(name: string, depth: number, parents: readonly string[]): boolean;
}

/** One field (a comment's text, say) may not grow past this, so a broken file cannot exhaust memory. */
const MAX_FIELD_CHARS = 1_000_000;
const CHUNK_BYTES = 256 * 1024;

/** The encoding named by a byte-order mark or the XML declaration; UTF-8 when neither says. */
export async function detectEncoding(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
    if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
    if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
    const declared = /^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(bytes.toString('latin1'));
    return declared ? declared[1].toLowerCase() : 'utf-8';
  } finally {
    await handle.close();
  }
}

function decoderFor(encoding: string): TextDecoder {
  try {
    return new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new ImportFormatError(1, `the encoding "${encoding}" is not supported`);
  }
}

/** What saxes reports as `file:line:column: message`, as a line and a reason. */
function asFormatError(err: unknown, fallbackLine: number): ImportFormatError {
  if (err instanceof ImportFormatError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const located = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(message);
  if (located) return new ImportFormatError(Number(located[1]), `not well-formed XML: ${located[3]}`);
  return new ImportFormatError(fallbackLine, message);
}

export interface ReadProgress {
  bytesRead: number;
  bytesTotal: number;
}

/**
 * Reads `file`, calls `onRecords` with the records each chunk completed (awaited before the next
 * chunk), and throws ImportFormatError with a line number for anything malformed.
 */
export async function readXmlRecords(
  file: string,
  spec: RecordSpec,
  onRecords: (records: XmlRecord[], progress: ReadProgress) => Promise<void>,
): Promise<void> {
  const encoding = await detectEncoding(file);
  const decoder = decoderFor(encoding);
  const parser = new SaxesParser({ position: true });
  const names: string[] = [];
  const openRecords: { record: XmlRecord; depth: number }[] = [];
  let ready: XmlRecord[] = [];
  let first = true;

  const current = (): { record: XmlRecord; depth: number } | undefined => openRecords[openRecords.length - 1];
  const relativePath = (depth: number): string => names.slice(depth + 1).join('/');
  const append = (text: string): void => {
    const top = current();
    if (!top || names.length - 1 <= top.depth) {
      if (top && names.length - 1 === top.depth && text.trim()) top.record.fields.set('', (top.record.fields.get('') ?? '') + text);
      return;
    }
    const key = relativePath(top.depth);
    const value = (top.record.fields.get(key) ?? '') + text;
    if (value.length > MAX_FIELD_CHARS) throw new ImportFormatError(parser.line, `<${names[names.length - 1]}> is longer than ${MAX_FIELD_CHARS} characters`);
    top.record.fields.set(key, value);
  };

  parser.on('opentag', (tag) => {
    const depth = names.length;
    const attributes = tag.attributes as Record<string, string>;
    if (spec.isRecord(tag.name, depth, names)) {
      const container = current()?.record ?? null;
      openRecords.push({ record: { name: tag.name, line: parser.line, attributes, fields: new Map(), container }, depth });
    } else {
      const top = current();
      if (top) {
        names.push(tag.name);
        for (const [attr, value] of Object.entries(attributes)) top.record.fields.set(`${relativePath(top.depth)}@${attr}`, value);
        names.pop();
      }
    }
    names.push(tag.name);
  });
  parser.on('closetag', () => {
    const depth = names.length - 1;
    const top = current();
    if (top && top.depth === depth) {
      openRecords.pop();
      ready.push(top.record);
    }
    names.pop();
  });
  parser.on('text', append);
  parser.on('cdata', append);

  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const { size: bytesTotal } = await stat(file);
  let bytesRead = 0;
  const feed = (text: string): void => {
    try {
      parser.write(text);
    } catch (err) {
      throw asFormatError(err, parser.line);
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw new ImportFormatError(parser.line, `bytes that are not valid ${encoding}`);
      }
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      feed(text);
      const done = ready;
      ready = [];
      await onRecords(done, { bytesRead, bytesTotal });
    }
    try {
      feed(decoder.decode());
    } catch (err) {
      throw err instanceof ImportFormatError ? err : new ImportFormatError(parser.line, `the file ends inside a ${encoding} character`);
    }
    try {
      parser.close();
    } catch (err) {
      throw asFormatError(err, parser.line);
    }
    if (names.length > 0) throw new ImportFormatError(parser.line, `the file ends before </${names[names.length - 1]}>`);
    await onRecords(ready, { bytesRead, bytesTotal });
  } finally {
    stream.destroy();
  }
}
