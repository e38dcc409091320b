import { plainText, plainValue, TEXT_LIMIT } from './text.js';

/**
 * The one markdown builder. Plain strings are treated as untrusted text and escaped; only
 * values wrapped in `Md` (built here from escaped parts) pass through as markup.
 */
export class Md {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Cell = string | number | boolean | null | undefined | Md;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '@': '&#64;' };

/**
 * Escape untrusted text for inline markdown (also safe inside table cells and HTML blocks):
 * first made plain (report/text.ts: controls visible, cut to `limit` characters), then every
 * character markdown or HTML could read as markup escaped.
 */
export function escape(text: string, limit = TEXT_LIMIT): string {
  return plainValue(text, limit)
    .replace(/[\\`*_[\]#|~]/g, (c) => `\\${c}`)
    .replace(/[&<>"@]/g, (c) => ENTITIES[c]!);
}

export function cell(value: Cell): string {
  if (value instanceof Md) return value.text;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return escape(formatNumber(value));
  return escape(String(value));
}

/** Markup from a template: interpolated values are escaped unless they are Md. */
export function md(strings: TemplateStringsArray, ...values: Cell[]): Md {
  let out = strings[0]!;
  values.forEach((v, i) => (out += cell(v) + strings[i + 1]!));
  return new Md(out);
}

/**
 * Inline code that cannot be broken out of. A <code> element, not backticks (a backtick cannot
 * be escaped inside a code span); its content is still markdown to GitHub, so it is escaped too.
 */
export function code(text: string): Md {
  return new Md(`<code>${escape(text)}</code>`);
}

export function table(headers: Cell[], rows: Cell[][], align?: ('l' | 'r' | 'c')[]): Md {
  const line = (cells: Cell[]) => `| ${cells.map(cell).join(' | ')} |`;
  const sep = `|${headers.map((_, i) => ({ l: ' :-- ', r: ' --: ', c: ' :-: ' })[align?.[i] ?? 'l']).join('|')}|`;
  return new Md([line(headers), sep, ...rows.map(line)].join('\n'));
}

export function details(summary: Cell, body: Md): Md {
  return new Md(`<details><summary>${cell(summary)}</summary>\n\n${body.text}\n\n</details>`);
}

export function heading(level: 1 | 2 | 3 | 4, text: Cell): Md {
  return new Md(`${'#'.repeat(level)} ${cell(text)}`);
}

export function join(parts: (Md | null | undefined | false)[], sep = '\n\n'): Md {
  return new Md(parts.filter((p): p is Md => p instanceof Md).map((p) => p.text).join(sep));
}

/** Numbers as people read them: integers with no decimals, others with 4 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return n.toExponential(3);
  return String(Number(n.toPrecision(4)));
}

/** GitHub's job summary takes at most 1 MiB per step. */
export const SUMMARY_LIMIT = 1024 * 1024;

/**
 * Cut markdown to `limit` bytes at a line boundary, keeping the head (verdict and main table
 * come first by convention) and saying what was cut.
 */
export function truncate(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  const note = '\n\n_(report truncated: it exceeded the size limit; the full report is in the JSON report file)_\n';
  const budget = limit - Buffer.byteLength(note);
  let cut = Buffer.from(text).subarray(0, budget).toString('utf8');
  cut = cut.replace(/\uFFFD$/, '');
  const lastLine = cut.lastIndexOf('\n');
  if (lastLine > 0) cut = cut.slice(0, lastLine);
  // Do not leave an unclosed <details> open: it would swallow the note.
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length;
  return cut + '\n\n</details>'.repeat(Math.max(0, open)) + note;
}

export function fitSummary(text: string): string {
  return truncate(text, SUMMARY_LIMIT - 1024);
}

/**
 * Lines shown as they are (a command's output) in a fenced block they cannot close: the fence is
 * longer than any run of backticks inside; each line is made plain (controls visible, cut).
 */
export function preformatted(lines: string[]): Md {
  const body = lines.map((l) => plainText(l.replace(/\n/g, ' '), TEXT_LIMIT)).join('\n');
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  return new Md(`${fence}text\n${body}\n${fence}`);
}
