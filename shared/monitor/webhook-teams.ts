/**
 * A drift alert as a Microsoft Teams message: one Adaptive Card (version 1.4) in a `message`
 * attachment, the shape both Teams' Workflows "Post to a channel when a webhook request is
 * received" and the older Incoming Webhook connector accept:
 *
 *   { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive',
 *     contentUrl: null, content: { $schema, type: 'AdaptiveCard', version: '1.4',
 *     body: [TextBlock headline, TextBlock reason, FactSet drifted columns],
 *     actions: [Action.OpenUrl run, Action.OpenUrl issue] } }] }
 *
 * TextBlocks render a markdown subset: values from the data have its characters (`\ * _ ~ [ ]`
 * and backticks) escaped with a backslash, and controls and bidi characters shown as escapes. A
 * Teams mention needs an `msteams.entities` entry, which the card never has, so `<at>` in a
 * value stays text.
 */
import { formatNumber } from '../report/markdown.js';
import { plainValue } from '../report/text.js';
import { type DriftAlert, headline, LISTED_COLUMNS } from './webhook-message.js';

const COLOR: Record<DriftAlert['status'], string> = { ok: 'Good', warn: 'Warning', drift: 'Attention' };

export function teamsEscape(value: string, limit = 500): string {
  return plainValue(value, limit).replace(/[\\*_~[\]`]/g, '\\$&');
}

export function teamsMessage(a: DriftAlert): unknown {
  const color = a.change === 'recovered' ? 'Good' : COLOR[a.status];
  const facts = a.drifted.slice(0, LISTED_COLUMNS).map((c) => ({ title: teamsEscape(c.column, 100), value: `${teamsEscape(c.test)} ${formatNumber(c.value)} (drift when ${teamsEscape(c.condition)})` }));
  if (a.drifted.length > LISTED_COLUMNS) facts.push({ title: '…', value: `and ${a.drifted.length - LISTED_COLUMNS} more` });
  const body: unknown[] = [
    { type: 'TextBlock', text: teamsEscape(headline(a)), weight: 'Bolder', size: 'Medium', color, wrap: true },
    { type: 'TextBlock', text: teamsEscape(a.reason), wrap: true },
  ];
  if (facts.length) body.push({ type: 'TextBlock', text: 'Drifted columns', weight: 'Bolder', wrap: true }, { type: 'FactSet', facts });
  const actions = [a.run ? { type: 'Action.OpenUrl', title: 'Workflow run', url: a.run } : null, a.issue ? { type: 'Action.OpenUrl', title: 'Drift issue', url: a.issue } : null].filter(Boolean);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, ...(actions.length ? { actions } : {}) },
      },
    ],
  };
}
