import fs from 'node:fs';
import zlib from 'node:zlib';
import { UserError } from '../runtime/errors.js';
import type { DataFile } from './source.js';

export const LF = 0x0a;
export const CR = 0x0d;

/** The file's bytes (gunzipped for .gz) in chunks, without a UTF-8 byte order mark. */
export async function* fileBytes(file: DataFile, onBom?: () => void): AsyncGenerator<Buffer> {
  const stream = fs.createReadStream(file.absolute, { highWaterMark: 1 << 20 });
  const input = /\.gz$/i.test(file.absolute) ? stream.pipe(zlib.createGunzip()) : stream;
  let first = true;
  try {
    for await (const raw of input as AsyncIterable<Buffer>) {
      let chunk = raw;
      if (first) {
        first = false;
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
          throw new UserError('the file is UTF-16 encoded (it starts with a UTF-16 byte order mark)', {
            where: { file: file.path },
            fix: 'save it as UTF-8 (in Excel: "CSV UTF-8"; or `iconv -f UTF-16 -t UTF-8`)',
          });
        }
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          chunk = chunk.subarray(3);
          onBom?.();
        }
      }
      yield chunk;
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read the file: ${(e as Error).message}`, { where: { file: file.path }, fix: 'check the file is complete (for .gz: a valid gzip file)' });
  } finally {
    stream.destroy();
  }
}

/** The position of the next `byte` at or after `from`, or the buffer's length when there is none. */
export function indexOr(buf: Buffer, byte: number, from: number): number {
  const p = buf.indexOf(byte, from);
  return p < 0 ? buf.length : p;
}

/** UTF-8 text, or a UserError saying where the first byte that is not UTF-8 sits. */
export function utf8(bytes: Buffer, file: DataFile, line: number): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError('the text is not valid UTF-8', { where: { file: file.path, line }, fix: 'save the file as UTF-8' });
  }
}

/**
 * Row -> the line it starts on. Kept sparse: a breakpoint only where (line - row) changes, so a
 * file of one record per line costs one entry. Past LIMIT breakpoints the lines are unknown.
 */
export class LineMap {
  static readonly LIMIT = 1 << 21;
  private rows = new Float64Array(16);
  private offsets = new Float64Array(16);
  private n = 0;
  private unknownFrom = Infinity;

  /** Rows must be added in increasing order. */
  add(row: number, line: number): void {
    const offset = line - row;
    if (this.n > 0 && this.offsets[this.n - 1] === offset) return;
    if (this.n === LineMap.LIMIT) {
      this.unknownFrom = Math.min(this.unknownFrom, row);
      return;
    }
    if (this.n === this.rows.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.rows = grow(this.rows);
      this.offsets = grow(this.offsets);
    }
    this.rows[this.n] = row;
    this.offsets[this.n] = offset;
    this.n++;
  }

  lineOf(row: number): number | undefined {
    if (this.n === 0 || row < this.rows[0]! || row >= this.unknownFrom) return undefined;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rows[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return row + this.offsets[lo]!;
  }
}
