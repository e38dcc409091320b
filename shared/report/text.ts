/**
 * Untrusted text as it is shown anywhere (job summary, comment, release body, annotation,
 * terminal): the one place that decides what a value may look like once rendered.
 *
 * - Characters that are invisible or move other text (C0/C1 controls, zero-width and bidi
 *   controls, line/paragraph separators, tag characters, invisible fillers) are shown as
 *   escapes (`\n`, `\u202E`), so a value cannot hide, reorder or spoof what is around it and
 *   cannot start a new line.
 * - Long values are cut (by characters, never inside a surrogate pair), saying how much was cut.
 *
 * Pure; markdown escaping (report/markdown.ts) and the terminal renderer (report/terminal.ts)
 * both start from here.
 */

/** Any single value interpolated into a report, unless the caller asks for less. */
export const TEXT_LIMIT = 500;
/** Data values in compact places (sample values, top values): a table cell's worth. */
export const VALUE_LIMIT = 60;

/** Emoji joined by ZWJ (👩‍💻) keep their joiner: it is visible as one emoji, not a control. */
const EMOJI = /\p{Extended_Pictographic}/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115F\u1160\u3164\uFFA0]/u;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A ZWJ between two emoji (the first maybe with a variation selector or a skin tone). */
function joinsEmoji(chars: string[], i: number): boolean {
  let j = i - 1;
  while (j >= 0 && /\uFE0F|\p{Emoji_Modifier}/u.test(chars[j]!)) j--;
  return j >= 0 && EMOJI.test(chars[j]!) && EMOJI.test(chars[i + 1] ?? '');
}

function shown(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return NAMED[ch] ?? (cp > 0xffff ? `\\u{${cp.toString(16).toUpperCase()}}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`);
}

/** Every invisible or text-moving character made visible; `keepLines` keeps `\n` as a line break. */
export function neutralize(text: string, keepLines = false): string {
  const chars = Array.from(keepLines ? text.replace(/\r\n?/g, '\n') : text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (!INVISIBLE.test(ch) || (keepLines && ch === '\n')) out += ch;
    else if (ch === '\u200D' && joinsEmoji(chars, i)) out += ch;
    else out += shown(ch);
  }
  return out;
}

/** At most `limit` characters; a cut value ends with `…[+N chars]`. */
export function clip(text: string, limit: number): string {
  const chars = Array.from(text);
  if (chars.length <= limit) return text;
  const keep = Math.max(1, limit - 16);
  return `${chars.slice(0, keep).join('')}…[+${chars.length - keep} chars]`;
}

/** One value on one line: controls (newlines too) visible, cut to `limit` characters. */
export function plainValue(value: string, limit = TEXT_LIMIT): string {
  return clip(neutralize(value), limit);
}

/** Text we composed around values (a message): keeps its line breaks, everything else as plainValue. */
export function plainText(text: string, limit = 4 * TEXT_LIMIT): string {
  return clip(neutralize(text, true), limit);
}

/**
 * A line the GitHub runner will not take for a workflow command: it reads `::cmd::` at the start
 * of any line of a step's stdout or stderr (after leading spaces) and the legacy `##[cmd]`
 * anywhere in a line. Such a line is shown with a backslash in front of the `::` or `#[`.
 * Applied to every line the CLI prints and every log line the action writes.
 */
export function commandSafe(text: string): string {
  // The runner splits lines at \n, \r\n and a lone \r (.NET ReadLine).
  return text
    .split(/(\r\n|\r|\n)/)
    .map((part, i) => (i % 2 ? part : part.replace(/^(\s*)::/, '$1\\::').replaceAll('##[', '#\\#[')))
    .join('');
}

/**
 * JSON printed where the runner reads (the CLI's outputs): the same value when parsed, but
 * invisible characters written as `\uXXXX` escapes and `##[` as `#\u0023[`, so the text is
 * command-safe and shows no hidden characters, without changing what a parser reads.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .replace(/(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/gu, (c) =>
      c
        .split('') // UTF-16 units: JSON escapes a tag character as its surrogate pair
        .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
        .join(''),
    )
    .replaceAll('##[', '#\\u0023[');
}
