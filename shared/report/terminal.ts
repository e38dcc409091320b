/**
 * The same report in a terminal: the markdown our builder (report/markdown.ts) writes, read
 * back into plain text. Escapes are undone (values were made plain by report/text.ts before
 * they were escaped, so what comes back is the plain value), markup is dropped, tables are
 * drawn with box characters, `<details>` become indented sections, Mermaid charts are left to
 * the job summary. Every line starts with our own text or a border, never with a value.
 * Pure; the CLI makes each line safe for the runner (text.ts commandSafe) when it prints.
 */

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Markdown inline text -> plain text: escapes undone, entities decoded, tags and emphasis dropped. */
export function inlineText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length && /[!-/:-@[-`{-~]/.test(s[i + 1]!)) {
      out += s[++i];
    } else if (c === '&') {
      const m = /^&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-z]+);/.exec(s.slice(i));
      const decoded = m ? entity(m[1]!) : undefined;
      if (m && decoded !== undefined) {
        out += decoded;
        i += m[0].length - 1;
      } else out += c;
    } else if (c === '<') {
      const m = /^<!--[\s\S]*?-->|^<\/?([a-zA-Z]+)[^<>]*>/.exec(s.slice(i));
      if (m) {
        if (m[1]?.toLowerCase() === 'br') out += '; ';
        i += m[0].length - 1;
      } else out += c;
    } else if (c !== '*' && c !== '_' && c !== '`') {
      out += c;
    }
  }
  return out;
}

function entity(name: string): string | undefined {
  if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
  return ENTITY[name];
}

/** Cells of a markdown table row: split at `|` not escaped by a backslash. */
function cells(row: string): string[] {
  const out: string[] = [];
  let cur = '';
  const body = row.trim().replace(/^\|/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\' && i + 1 < body.length) {
      cur += c + body[++i];
    } else if (c === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** Columns a string takes in a terminal: wide East Asian characters and emoji count twice. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    if (/\p{Mn}|\p{Me}|\u200D|\uFE0F/u.test(ch)) continue;
    w += /\p{Extended_Pictographic}|[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1;
  }
  return w;
}

function drawTable(rows: string[], indent: string): string[] {
  const [head, sep, ...body] = rows;
  const align = cells(sep!).map((a) => (a.endsWith(':') && !a.startsWith(':') ? 'r' : 'l'));
  const grid = [cells(head!), ...body.map(cells)].map((r) => r.map(inlineText));
  const n = Math.max(...grid.map((r) => r.length));
  const widths = Array.from({ length: n }, (_, j) => Math.max(1, ...grid.map((r) => displayWidth(r[j] ?? ''))));
  const pad = (s: string, j: number) => {
    const gap = ' '.repeat(widths[j]! - displayWidth(s));
    return align[j] === 'r' ? gap + s : s + gap;
  };
  const line = (r: string[]) => `${indent}│ ${widths.map((_, j) => pad(r[j] ?? '', j)).join(' │ ')} │`;
  const rule = `${indent}├${widths.map((w) => '─'.repeat(w + 2)).join('┼')}┤`;
  // A table with an empty header (a list of key/value rows) is drawn without it.
  if (grid[0]!.every((c) => c === '')) return grid.slice(1).map(line);
  return [line(grid[0]!), rule, ...grid.slice(1).map(line)];
}

/** A report (our markdown) as terminal text. */
export function toTerminal(markdown: string): string {
  const lines = markdown.split('\n');
  const out: string[] = [];
  let depth = 0;
  let opened = false; // a details section just started: no blank line under its title
  const indent = () => '  '.repeat(depth);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (opened && !line) continue;
    opened = false;
    const fence = /^(`{3,}|~{3,})\s*(\S*)/.exec(line);
    if (fence) {
      const close = new RegExp(`^${fence[1]![0] === '`' ? '`' : '~'}{${fence[1]!.length},}\\s*$`);
      const block: string[] = [];
      while (++i < lines.length && !close.test(lines[i]!.trim())) block.push(lines[i]!);
      if (fence[2] === 'mermaid') out.push(`${indent()}(a chart: see the job summary or the markdown report)`);
      else out.push(...block.map((b) => `${indent()}│ ${b}`));
      continue;
    }
    if (line.startsWith('|')) {
      const rows = [line];
      while (i + 1 < lines.length && lines[i + 1]!.trim().startsWith('|')) rows.push(lines[++i]!.trim());
      if (rows.length >= 2) out.push(...drawTable(rows, indent()));
      continue;
    }
    const details = /^<details>\s*<summary>(.*?)<\/summary>(.*)$/.exec(line);
    if (details) {
      out.push(`${indent()}${inlineText(details[1]!)}:`);
      depth++;
      opened = true;
      if (details[2]!.trim()) out.push(`${indent()}${inlineText(details[2]!)}`);
      continue;
    }
    if (line === '</details>') {
      depth = Math.max(0, depth - 1);
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const text = inlineText(heading ? heading[1]! : line).trimEnd();
    if (!text) {
      if (out.length && out[out.length - 1] !== '') out.push('');
      continue;
    }
    out.push(`${indent()}${text}`);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}
