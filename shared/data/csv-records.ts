import { UserError } from '../runtime/errors.js';
import { CR, fileBytes, indexOr, LF, LineMap, utf8 } from './bytes.js';
import type { DataFile } from './source.js';

const QUOTE = 0x22;
/** A header longer than this is an unclosed quote, not names. */
const MAX_HEADER = 1 << 20;
export type Newline = 'LF' | 'CR LF' | 'CR';

/** What a CSV/TSV file holds, read independently of DuckDB (RFC 4180: `"` quotes, `""` escapes). */
export interface CsvRecords {
  header: string[];
  /** Lines the header spans (more than 1 when a quoted name holds a line break). */
  headerLines: number;
  /** Data records: the rows a faithful reader returns. */
  rows: number;
  /** Row (1-based, after the header) -> the line it starts on. */
  lines: LineMap;
  /** How the first line ends. */
  newline?: Newline;
  /** The first line that ends differently from the first line. */
  mixedNewline?: { line: number; found: Newline };
}

/**
 * One pass over the bytes: records end at a line break outside quotes (LF, CR LF or CR); an
 * empty line is no record (except in a one-column file, where it is an empty value), as in
 * DuckDB. Lines count physical line breaks, as an editor does.
 */
class CsvScanner {
  line = 1;
  rows = 0;
  lines = new LineMap();
  newline?: Newline;
  mixedNewline?: CsvRecords['mixedNewline'];
  headerBytes: Buffer[] = [];
  private headerSize = 0;
  header?: string[];
  headerLines = 0;
  private quoted = false;
  /** A quote seen inside a quoted field: the end of the field, or the first of `""`. */
  private quoteInQuoted = false;
  /** The previous byte was a CR: a following LF belongs to it. */
  private afterCR = false;
  /** The CR ended a record (outside quotes), so its kind is decided by the next byte. */
  private crEndedRecord = false;
  private hasBytes = false;
  private startLine = 1;
  private emptyLinesAreRows = false;

  constructor(
    private file: DataFile,
    private delim: number,
  ) {}

  /** Jumps from one quote or line break to the next (Buffer.indexOf), so it runs at memory speed. */
  push(buf: Buffer): void {
    const n = buf.length;
    // The next quote, LF and CR at or after i (each valid while >= i).
    let q = -1;
    let lf = -1;
    let cr = -1;
    let i = 0;
    while (i < n) {
      if (this.afterCR) {
        this.afterCR = false;
        if (buf[i] === LF) {
          if (this.crEndedRecord) this.noteNewline('CR LF', this.line - 1);
          i++;
          continue;
        }
        if (this.crEndedRecord) this.noteNewline('CR', this.line - 1);
      }
      if (q < i) q = indexOr(buf, QUOTE, i);
      if (lf < i) lf = indexOr(buf, LF, i);
      if (cr < i) cr = indexOr(buf, CR, i);
      if (this.quoted) {
        if (this.quoteInQuoted) {
          this.quoteInQuoted = false;
          if (buf[i] === QUOTE) {
            i++;
            continue;
          }
          this.quoted = false;
        } else {
          const lineBreak = Math.min(lf, cr);
          if (lineBreak < q) {
            this.line++;
            if (buf[lineBreak] === CR) (this.afterCR = true), (this.crEndedRecord = false);
            i = lineBreak + 1;
          } else {
            if (q < n) this.quoteInQuoted = true;
            i = q + 1;
          }
          continue;
        }
      }
      const at = Math.min(q, lf, cr);
      if (at > i) this.hasBytes = true;
      if (at === n) break;
      if (buf[at] === QUOTE) {
        this.quoted = true;
        this.hasBytes = true;
        i = at + 1;
        continue;
      }
      // A line break ends the record. The header starts at the file's first byte, so it is
      // buf[0, at) of every chunk it spans.
      if (!this.header) this.headerBytes.push(buf.subarray(0, at));
      this.endRecord();
      this.line++;
      this.startLine = this.line;
      if (buf[at] === CR) (this.afterCR = true), (this.crEndedRecord = true);
      else this.noteNewline('LF', this.line - 1);
      i = at + 1;
    }
    if (!this.header) {
      this.headerBytes.push(buf);
      this.headerSize += buf.length;
      if (this.headerSize > MAX_HEADER) {
        throw new UserError(`the header does not end within its first ${MAX_HEADER >> 20} MiB`, {
          where: { file: this.file.path, line: 1 },
          fix: 'close the quote opened in the header line (a quoted name ends with `"`)',
        });
      }
    }
  }

  end(): void {
    if (this.afterCR && this.crEndedRecord) this.noteNewline('CR', this.line - 1);
    if (!this.header && this.quoted && !this.quoteInQuoted) {
      throw new UserError('a quote opened in the header is never closed', { where: { file: this.file.path, line: 1 }, fix: 'close the quote (a quoted name ends with `"`)' });
    }
    if (this.hasBytes || this.quoted) this.endRecord();
  }

  private endRecord(): void {
    if (!this.header) {
      if (!this.hasBytes) throw new UserError('the first line is empty', { where: { file: this.file.path, line: 1 }, fix: 'the first line must name the columns' });
      this.header = splitRecord(utf8(Buffer.concat(this.headerBytes), this.file, this.startLine), this.delim);
      this.headerBytes = [];
      this.headerLines = this.line - this.startLine + 1;
      this.emptyLinesAreRows = this.header.length === 1;
    } else if (this.hasBytes || this.emptyLinesAreRows) {
      this.rows++;
      this.lines.add(this.rows, this.startLine);
    }
    this.hasBytes = false;
    this.quoted = false;
    this.quoteInQuoted = false;
  }

  private noteNewline(kind: Newline, line: number): void {
    if (!this.newline) this.newline = kind;
    else if (kind !== this.newline && !this.mixedNewline) this.mixedNewline = { line, found: kind };
  }
}

/** Split one record's text into fields (quotes removed, `""` -> `"`). */
export function splitRecord(text: string, delim: number): string[] {
  const d = String.fromCharCode(delim);
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === d) out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

async function scan(file: DataFile, delim: string, headerOnly: boolean): Promise<CsvScanner> {
  const s = new CsvScanner(file, delim.charCodeAt(0));
  for await (const chunk of fileBytes(file)) {
    s.push(chunk);
    if (headerOnly && s.header) return s;
  }
  s.end();
  return s;
}

/** The header record, parsed by us: the column names exactly as written. */
export async function readCsvHeader(file: DataFile, delim: string): Promise<{ header: string[]; headerLines: number }> {
  const s = await scan(file, delim, true);
  if (!s.header) throw new UserError('the file has no header line', { where: { file: file.path, line: 1 }, fix: 'the first line must name the columns' });
  return { header: s.header, headerLines: s.headerLines };
}

/** Every record counted, with the line each row starts on. */
export async function scanCsv(file: DataFile, delim: string): Promise<CsvRecords> {
  const s = await scan(file, delim, false);
  return { header: s.header ?? [], headerLines: s.headerLines, rows: s.rows, lines: s.lines, newline: s.newline, mixedNewline: s.mixedNewline };
}
