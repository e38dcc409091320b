/**
 * A drift alert as a Slack incoming-webhook message: `text` (the notification's fallback) and
 * Block Kit `blocks` (a header, the reason and share in mrkdwn, the drifted columns, links).
 * Every value from the data (column names, the model, reasons) is escaped for Slack: `&`, `<`,
 * `>` as entities (so `<!channel>` or `<@U123|x>` cannot be written), `@` followed by a word
 * joiner (no mention by name), backticks in code spans replaced, and controls and bidi
 * characters shown as escapes (report/text.ts).
 */
import { formatNumber } from '../report/markdown.js';
import { plainValue } from '../report/text.js';
import { type DriftAlert, headline, LISTED_COLUMNS } from './webhook-message.js';

const ICON: Record<DriftAlert['status'], string> = { ok: ':white_check_mark:', warn: ':large_yellow_circle:', drift: ':red_circle:' };
/** Slack's limits: a header's plain text 150 characters, a section's text 3000. */
const HEADER_LIMIT = 150;
const SECTION_LIMIT = 3000;

/** One value as Slack text: visible controls, Slack's three entities, no mentions. */
export function slackEscape(value: string, limit = 500): string {
  return plainValue(value, limit)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u2060');
}

function slackCode(value: string): string {
  return `\`${slackEscape(value, 100).replace(/`/g, 'ˋ')}\``;
}

/** A link Slack will not misread: its URL percent-encodes `|`, `<`, `>` (the label is escaped). */
function slackLink(url: string, label: string): string {
  return `<${url.replace(/[|<> ]/g, encodeURIComponent)}|${slackEscape(label)}>`;
}

export function slackMessage(a: DriftAlert): { text: string; blocks: unknown[] } {
  const title = `${ICON[a.status]} ${headline(a)}`;
  const columns = a.drifted
    .slice(0, LISTED_COLUMNS)
    .map((c) => `• ${slackCode(c.column)} ${slackEscape(c.test)} ${formatNumber(c.value)} (drift when ${slackEscape(c.condition)})`);
  if (a.drifted.length > LISTED_COLUMNS) columns.push(`… and ${a.drifted.length - LISTED_COLUMNS} more`);
  const links = [a.run ? slackLink(a.run, 'Workflow run') : '', a.issue ? slackLink(a.issue, 'Drift issue') : ''].filter(Boolean);
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: plainValue(title, HEADER_LIMIT), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: `*${slackEscape(a.reason)}*` } },
  ];
  if (columns.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Drifted columns*\n${columns.join('\n')}`.slice(0, SECTION_LIMIT) } });
  if (links.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: links.join('  |  ') }] });
  return { text: slackEscape(`${headline(a)}: ${a.reason}`), blocks };
}
