/**
 * What performance monitoring reads: the current data's predictions and times, the labels that
 * arrived later (a labels file keyed by the request id the model server logs, or a column of the
 * current data) joined to them, and the model's recorded metrics to compare with.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gateReportSchema } from '../gate/report.js';
import { modelManifestSchema } from '../model/manifest.js';
import { resolveModelFile } from '../model/load.js';
import { flattenMetrics } from '../model/metrics.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { displayPath, readUserText } from '../runtime/files.js';
import type { RawValue } from '../stats/drift/raw.js';
import { readColumns, type RawColumns } from './data.js';
import type { LabelledRow, PerformanceTask } from './performance.js';
import { valueTypeOf } from './profile-fields.js';

export interface LabelsRequest {
  current: string;
  predictionColumn: string;
  /** Labels file(s); empty: the label column is in the current data. */
  labels: string;
  labelColumn: string;
  /** The key joining labels to predictions (`id`, or `id, row` for requests of several rows). */
  idColumns: readonly string[];
  /** Epoch seconds for windows; not needed without a window. */
  timeColumn: string | null;
}

export interface Labelled {
  task: PerformanceTask;
  rows: LabelledRow[];
  /** Labels files read (none when the labels are a column of the current data). */
  files: string[];
  /** Current rows with a prediction, labelled, and without a label yet. */
  predictions: number;
  unlabelled: number;
  /** Labels whose key no current row has. */
  unmatched: number;
}

const present = (v: RawValue): boolean => v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v));

function requireColumns(data: RawColumns, names: readonly string[], input: string, forInput: string): void {
  for (const n of names) {
    if (!data.columns.some((c) => c.name === n)) {
      throw new UserError(`the ${input === 'labels' ? 'labels file' : 'current data'} has no column '${n}'`, { where: { input: forInput }, fix: `columns there: ${data.columns.map((c) => c.name).join(', ')}` });
    }
  }
}

const typeOf = (data: RawColumns, name: string) => valueTypeOf(data.columns.find((c) => c.name === name)!.type);

/** Classification unless the predictions are floats (a regressor's values). */
function taskOf(data: RawColumns, column: string): PerformanceTask {
  return typeOf(data, column) === 'float' ? 'regression' : 'classification';
}

export async function readLabelled(req: LabelsRequest, ctx: Context): Promise<Labelled> {
  const inCurrent = !req.labels;
  const wanted = [req.predictionColumn, ...(req.timeColumn ? [req.timeColumn] : []), ...(inCurrent ? [req.labelColumn] : req.idColumns)];
  const cur = await ctx.log.group('Reading the predictions', () => readColumns(req.current, 'current', wanted, ctx));
  requireColumns(cur, [req.predictionColumn], 'current', 'prediction-column');
  if (req.timeColumn) requireColumns(cur, [req.timeColumn], 'current', 'time-column');
  if (req.timeColumn && typeOf(cur, req.timeColumn) !== 'datetime') {
    throw new UserError(`the time column '${req.timeColumn}' is ${cur.columns.find((c) => c.name === req.timeColumn)!.type}, not a date or timestamp`, { where: { input: 'time-column' }, fix: 'name a column of ISO 8601 times (the prediction log\'s `time`), or leave `window` empty' });
  }
  requireColumns(cur, inCurrent ? [req.labelColumn] : req.idColumns, 'current', inCurrent ? 'label-column' : 'id-column');
  const task = taskOf(cur, req.predictionColumn);
  const at = (name: string, i: number) => cur.values.get(name)![i];
  const time = (i: number) => (req.timeColumn ? (at(req.timeColumn, i) as number | null) : null);
  const scored = (label: RawValue, i: number): LabelledRow | null => {
    const prediction = at(req.predictionColumn, i);
    if (!present(prediction) || !present(label)) return null;
    const t = time(i);
    if (req.timeColumn && (t === null || !Number.isFinite(t))) throw new UserError(`row ${i + 1} of the current data has no time`, { where: { input: 'time-column' }, fix: 'give every prediction its time, or leave `window` empty' });
    return { time: t, prediction: prediction as string | number, label: label as string | number };
  };
  const predictions = cur.values.get(req.predictionColumn)!.filter(present).length;
  if (inCurrent) {
    const rows = cur.values.get(req.labelColumn)!.flatMap((label, i) => scored(label, i) ?? []);
    return { task, rows, files: [], predictions, unlabelled: predictions - rows.length, unmatched: 0 };
  }

  const lab = await ctx.log.group('Reading the labels', () => readColumns(req.labels, 'labels', [...req.idColumns, req.labelColumn], ctx));
  requireColumns(lab, req.idColumns, 'labels', 'id-column');
  requireColumns(lab, [req.labelColumn], 'labels', 'label-column');
  const keyOf = (data: RawColumns, i: number) => JSON.stringify(req.idColumns.map((c) => String(data.values.get(c)![i] ?? '')));
  const labels = new Map<string, RawValue>();
  const labelValues = lab.values.get(req.labelColumn)!;
  for (let i = 0; i < lab.rows; i++) {
    const key = keyOf(lab, i);
    if (labels.has(key) && labels.get(key) !== labelValues[i]) {
      throw new UserError(`the labels give ${req.idColumns.join(', ')} = ${key} two different labels`, { where: { input: 'labels' }, fix: 'keep one label per prediction' });
    }
    labels.set(key, labelValues[i]);
  }
  const seen = new Map<string, number>();
  const rows: LabelledRow[] = [];
  for (let i = 0; i < cur.rows; i++) {
    const key = keyOf(cur, i);
    if (seen.has(key)) {
      throw new UserError(`rows ${seen.get(key)! + 1} and ${i + 1} of the current data share ${req.idColumns.join(', ')} = ${key}, so a label cannot say which prediction it is for`, {
        where: { input: 'id-column' },
        fix: 'key the labels by every column that tells predictions apart: for the prediction log, `id-column: id, row` (a request can hold several rows)',
      });
    }
    seen.set(key, i);
    if (labels.has(key)) {
      const row = scored(labels.get(key), i);
      if (row) rows.push(row);
    }
  }
  const unmatched = [...labels.keys()].filter((k) => !seen.has(k)).length;
  return { task, rows, files: lab.files, predictions, unlabelled: predictions - rows.length, unmatched };
}

function readJson(file: string, display: string): unknown {
  const text = readUserText(file, { input: 'baseline-metrics', display });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserError(`not JSON: ${(e as Error).message}`, { where: { file: display, input: 'baseline-metrics' }, fix: 'give a metrics JSON file, evaluate-gate\'s report.json, or a model reference' });
  }
}

/**
 * The model's recorded metrics: a model reference (its manifest's metrics, recorded by train),
 * evaluate-gate's report.json (the candidate's metrics on its evaluation data), a model manifest,
 * or a metrics JSON file (`{"accuracy": 0.84, "f1": {"macro": 0.8}}`).
 */
export async function baselineMetrics(spec: string, ctx: Context, githubToken = ctx.env.GITHUB_TOKEN): Promise<{ source: string; metrics: Record<string, number> }> {
  const file = path.resolve(ctx.workspace, spec);
  if (spec.endsWith('.json') || (fs.existsSync(file) && fs.statSync(file).isFile() && !spec.endsWith('.onnx'))) {
    const display = displayPath(ctx.workspace, file);
    const json = readJson(file, display);
    const kind = (json as { kind?: unknown } | null)?.kind;
    if (kind === 'mlops/evaluate-gate-report') {
      const report = gateReportSchema.parse(json);
      return { source: display, metrics: Object.fromEntries(report.metrics.flatMap((m) => (m.candidate === null ? [] : [[m.name, m.candidate]]))) };
    }
    if (kind === 'mlops/model-manifest') return { source: display, metrics: modelManifestSchema.parse(json).metrics };
    return { source: display, metrics: flattenMetrics(json, display) };
  }
  const model = await ctx.log.group(`Resolving ${spec} for its metrics`, () => resolveModelFile(spec, ctx, 'baseline-metrics', { githubToken }));
  if (!model.manifest) throw new UserError(`${spec} has no manifest, so no recorded metrics`, { where: { input: 'baseline-metrics' }, fix: 'give a stored model (local:<name>@champion) or a metrics JSON file' });
  return { source: spec, metrics: model.manifest.metrics };
}
