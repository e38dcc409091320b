import { UserError } from '../runtime/errors.js';
import { CR, fileBytes, indexOr, LF, LineMap } from './bytes.js';
import type { DataFile } from './source.js';

const FIX = 'JSON data is an array of objects (`[{...}, {...}]`) or one object per line (JSON Lines)';

/** What a JSON file holds, read independently of DuckDB: its shape, its records and their lines. */
export interface JsonRecords {
  /** `[{...}, ...]`, or objects one after another (JSON Lines, or pretty-printed objects). */
  shape: 'array' | 'objects';
  /** objects: each on a line of its own (what DuckDB's fast newline_delimited reader needs). */
  onePerLine: boolean;
  bom: boolean;
  rows: number;
  lines: LineMap;
}

const MAX_RECORD = 64 << 20;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function kindOfValue(b: number): string {
  if (b === QUOTE) return 'a string';
  if (b === OPEN_ARRAY) return 'an array';
  if (b === 0x74 || b === 0x66) return 'a boolean';
  if (b === 0x6e) return 'null';
  return 'a number';
}

/**
 * One pass over the bytes, tracking strings and nesting only (DuckDB checks the grammar). Every
 * record must be an object. `onRecord`, when given, receives each record's text (for locating a
 * syntax error; not used on the normal path).
 */
export async function scanJson(file: DataFile, onRecord?: (text: string, line: number) => boolean): Promise<JsonRecords> {
  let bom = false;
  let shape: JsonRecords['shape'] | undefined;
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let afterCR = false;
  let rows = 0;
  let onePerLine = true;
  let lastStartLine = 0;
  let recordStartLine = 0;
  let parts: Buffer[] | undefined;
  let stop = false;
  const lines = new LineMap();
  const recordDepth = () => (shape === 'array' ? 1 : 0);
  for await (const buf of fileBytes(file, () => (bom = true))) {
    let from = 0;
    // The next quote and backslash at or after i (each valid while >= i).
    let quote = -1;
    let backslash = -1;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (inString) {
        // Jump to the next quote or backslash; a raw line break is not valid in a string anyway.
        if (escaped) {
          escaped = false;
          continue;
        }
        if (quote < i) quote = indexOr(buf, QUOTE, i);
        if (backslash < i) backslash = indexOr(buf, BACKSLASH, i);
        if (backslash < quote) {
          i = backslash;
          escaped = true;
        } else if (quote < buf.length) {
          i = quote;
          inString = false;
        } else i = buf.length;
        continue;
      }
      if (b === LF) {
        if (!afterCR) line++;
        afterCR = false;
        continue;
      }
      afterCR = b === CR;
      if (afterCR) {
        line++;
        continue;
      }
      if (b === 0x20 || b === 0x09) continue;
      if (shape === undefined) {
        shape = b === OPEN_ARRAY ? 'array' : 'objects';
        if (shape === 'array') {
          depth = 1;
          continue;
        }
      }
      if (depth === recordDepth()) {
        if (b === COMMA && shape === 'array') continue;
        if (b === CLOSE_ARRAY && shape === 'array') {
          depth = 0;
          continue;
        }
        if (b !== OPEN_OBJECT) {
          throw new UserError(`record ${rows + 1} is ${kindOfValue(b)}, not a JSON object`, { where: { file: file.path, line }, fix: FIX });
        }
        rows++;
        lines.add(rows, line);
        if (line === lastStartLine) onePerLine = false;
        lastStartLine = recordStartLine = line;
        if (onRecord) (parts = []), (from = i);
        depth++;
        continue;
      }
      if (depth < recordDepth()) continue; // after the array's end: DuckDB reports what follows
      if (b === QUOTE) inString = true;
      else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
      else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
        depth--;
        if (depth === recordDepth()) {
          if (line !== recordStartLine) onePerLine = false;
          if (parts) {
            parts.push(buf.subarray(from, i + 1));
            stop = !onRecord!(Buffer.concat(parts).toString('utf8'), recordStartLine);
            parts = undefined;
            if (stop) break;
          }
        }
      }
    }
    if (stop) break;
    if (parts) {
      parts.push(buf.subarray(from));
      // Only the error path collects records: one this large is a brace never closed.
      if (parts.reduce((sum, p) => sum + p.length, 0) > MAX_RECORD) break;
    }
  }
  if (!stop && rows === 0) throw new UserError('the file holds no records', { where: { file: file.path }, fix: FIX });
  return { shape: shape ?? 'objects', onePerLine: onePerLine && !bom, bom, rows, lines };
}

/** The first record that is not valid JSON, at its line (the error path only). */
export async function firstBadJsonRecord(file: DataFile): Promise<{ line: number; error: string } | undefined> {
  let bad: { line: number; error: string } | undefined;
  try {
    await scanJson(file, (text, line) => {
      try {
        JSON.parse(text);
        return true;
      } catch (e) {
        const msg = (e as Error).message;
        const within = /\(line (\d+) column \d+\)/.exec(msg);
        bad = { line: line + (within ? Number(within[1]) - 1 : 0), error: msg.replace(/\s*\(line \d+ column \d+\)/, '') };
        return false;
      }
    });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    bad = { line: e.where.line ?? 1, error: e.message };
  }
  return bad;
}
