import { type Cell, code, heading, join, type Md, md, table } from '../report/markdown.js';
import type { OutputFormat, PredictResult } from './predict.js';

export interface PredictReport extends PredictResult {
  model: string;
  version: string | null;
  output: string;
  format: OutputFormat;
  files: number;
}

/** Classes listed in the summary; the rest are counted in one line. */
const MAX_CLASSES = 30;

const count = (n: number) => n.toLocaleString('en-US');
const percent = (share: number) => `${(100 * share).toFixed(1)}%`;

/** The job summary: rows, where they went, throughput, and the prediction distribution. */
export function renderPredictions(r: PredictReport): string {
  const seconds = r.scoreSeconds + r.writeSeconds;
  const rate = seconds > 0 ? Math.round(r.rows / seconds) : r.rows;
  const head = heading(3, md`🔮 predict: ${count(r.rows)} rows scored`);
  const facts = md`Model ${code(r.model)}${r.version ? md` (version ${r.version})` : md``}, ${r.files} input file(s) → ${code(r.output)} (${r.format}, columns ${code(r.columns.join(', '))}). ${seconds.toFixed(2)} s (scoring ${r.scoreSeconds.toFixed(2)} s, writing ${r.writeSeconds.toFixed(2)} s), ${count(rate)} rows/s.`;
  return join([head, facts, distributionTable(r)]).text;
}

function distributionTable(r: PredictReport): Md {
  const d = r.distribution;
  if (d.kind === 'values') {
    const rows = [['count', count(d.count)], ['mean', d.mean], ['min', d.min], ...d.quantiles.map((q) => [`p${Math.round(q.q * 100)}`, q.value]), ['max', d.max]];
    return join([heading(4, 'Predicted values'), table(['statistic', 'value'], rows, ['l', 'r'])]);
  }
  const shown = d.classes.slice(0, MAX_CLASSES);
  const rest = d.classes.slice(MAX_CLASSES);
  const rows: Cell[][] = shown.map((c) => [c.label, count(c.count), percent(c.share)]);
  if (rest.length) rows.push([md`*${rest.length} more classes*`, count(rest.reduce((s, c) => s + c.count, 0)), percent(rest.reduce((s, c) => s + c.share, 0))]);
  return join([heading(4, 'Predicted classes'), table(['class', 'rows', 'share'], rows, ['l', 'r', 'r'])]);
}
