import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { type Engine, quoteIdent, quoteString } from '../data/engine.js';
import { type Table, VIEW } from '../data/table.js';
import type { ReportProgress } from '../runtime/progress.js';
import { UserError } from '../runtime/errors.js';
import { fileError } from '../runtime/files.js';
import { onnxRuntime } from './onnx.js';
import { type BatchScores, scoreBatch, type ScoringModel } from './score.js';
import type { Logger } from '../runtime/context.js';
import { importCommonJs } from '../runtime/import.js';

export type OutputFormat = 'parquet' | 'csv';

/** The column drift-check's prediction drift reads (docs/predict.md). */
export const PREDICTION_COLUMN = 'prediction';
export const probabilityColumn = (label: string) => `probability_${label}`;

export interface PredictOptions {
  /** Input columns copied to the output, first, with their types. */
  keyColumns: string[];
  batchSize: number;
  /** One `probability_<class>` column per class. */
  probabilities: boolean;
  /** Absolute path of the file to write, whole or not at all. */
  output: string;
  format: OutputFormat;
  log: Logger;
  progress?: ReportProgress;
}

/** What was predicted: class counts (classification) or value quantiles (regression). */
export type Distribution =
  | { kind: 'classes'; classes: { label: string; count: number; share: number }[] }
  | { kind: 'values'; count: number; min: number; max: number; mean: number; quantiles: { q: number; value: number }[] };

export interface PredictResult {
  rows: number;
  columns: string[];
  distribution: Distribution;
  /** Seconds spent reading, scoring and staging (the write excluded), and writing. */
  scoreSeconds: number;
  writeSeconds: number;
}

const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
/** DuckDB's vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;
const STAGING = 'mlops_predictions';
/** Rows staged in memory before they are written out as a Parquet part. */
const PART_ROWS = 131_072;

/** No rows is an error, never an empty success; checked first, as a header-only CSV also types every column as text. */
export async function requireRows(engine: Engine): Promise<void> {
  const [first] = await engine.query(`SELECT 1 AS one FROM ${VIEW} LIMIT 1`);
  if (!first) throw noRows();
}

const noRows = () => new UserError('the data has no rows: nothing to predict', { where: { input: 'data' }, fix: 'point `data` at files holding at least one row' });

/** `.parquet`/`.pq` or `.csv` from the output's name; `format` wins when set. */
export function outputFormat(output: string, format: OutputFormat | undefined): OutputFormat {
  if (format) return format;
  if (/\.(parquet|pq)$/i.test(output)) return 'parquet';
  if (/\.csv$/i.test(output)) return 'csv';
  throw new UserError(`cannot tell the output format from the name ${output}`, { where: { input: 'output' }, fix: 'end the name in .parquet or .csv, or set `format: parquet` or `format: csv`' });
}

/** The output's columns: keys, then `prediction`, then the probabilities; names must not clash. */
function outputColumns(model: ScoringModel, table: Table, opts: PredictOptions): { name: string; type: string }[] {
  const types = new Map(table.columns.map((c) => [c.name, c.type]));
  const cols = opts.keyColumns.map((k) => {
    const type = types.get(k);
    if (!type) throw new UserError(`the data has no key column "${k}"`, { where: { input: 'key-columns' }, fix: `data columns: ${table.columns.map((c) => c.name).join(', ')}` });
    return { name: k, type };
  });
  const out = model.output;
  if (out.kind === 'regressor') {
    if (opts.probabilities) throw new UserError('the model is a regressor: it gives no class probabilities', { where: { input: 'probabilities' }, fix: 'set `probabilities: false`' });
    cols.push({ name: PREDICTION_COLUMN, type: 'DOUBLE' });
  } else {
    const labelType = model.signature.outputs.find((o) => o.name === out.label)?.type;
    cols.push({ name: PREDICTION_COLUMN, type: labelType === 'int64' && (out.classes ?? []).every((c) => /^-?\d+$/.test(c)) ? 'BIGINT' : 'VARCHAR' });
    if (opts.probabilities) {
      if (!out.proba) throw new UserError('the model gives no class probabilities (only labels)', { where: { input: 'probabilities' }, fix: 'set `probabilities: false`, or export the model with its probability output' });
      if (!out.classes) throw new UserError('the model gives probabilities but does not name its classes, so the probability columns cannot be named', { where: { input: 'probabilities' }, fix: 'export the model with a ZipMap, or a `classes` JSON list in its metadata (as the example trainers do)' });
      for (const c of out.classes) cols.push({ name: probabilityColumn(c), type: 'DOUBLE' });
    }
  }
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw new UserError(`the output would have two columns named "${c.name}"`, { where: { input: 'key-columns' }, fix: `rename the input column "${c.name}" or leave it out of key-columns` });
    seen.add(c.name);
  }
  return cols;
}

/**
 * Score every row of `table` with `model`, a batch at a time, and write the key columns and the
 * predictions to `opts.output`. Memory is bounded: rows are held only until their batch is
 * scored and appended to a DuckDB table, which is written out as a Parquet part file under the
 * engine's scratch dir every PART_ROWS rows and emptied; at the end DuckDB copies the parts, in
 * order, to the output (a temp file beside it, then a rename).
 */
export async function predictTable(engine: Engine, table: Table, model: ScoringModel, opts: PredictOptions): Promise<PredictResult> {
  const columns = outputColumns(model, table, opts);
  const { DuckDBDataChunk } = await importCommonJs(() => import('@duckdb/node-api'));
  const ort = await onnxRuntime(opts.log);
  // Statements run on a side connection: one on the main connection would end the stream.
  const side = await engine.sideConnection();
  const create = `CREATE TABLE ${STAGING} (${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`;
  await side.run(create);
  let appender = await side.createAppender(STAGING);
  const types = columns.map((_, i) => appender.columnType(i));
  // One output chunk, reused: native chunks are freed only when V8 collects their wrappers.
  const chunk = DuckDBDataChunk.create(types);
  const parts: string[] = [];
  let staged = 0;
  const writePart = async () => {
    appender.closeSync();
    const part = path.join(engine.scratchDir(), `predictions-${String(parts.length).padStart(6, '0')}.parquet`);
    await side.run(`COPY ${STAGING} TO ${quoteString(part)} (FORMAT parquet)`);
    parts.push(part);
    await side.run(`DROP TABLE ${STAGING}; ${create}`);
    appender = await side.createAppender(STAGING);
    staged = 0;
  };

  const keys = opts.keyColumns;
  const features = model.inputs.flatMap((b) => b.columns).filter((c) => !keys.includes(c));
  const started = performance.now();
  let rows = 0;
  let pending: { rows: Record<string, unknown>[]; keys: DuckDBValue[][] } = { rows: [], keys: keys.map(() => []) };

  const append = (batch: typeof pending, s: BatchScores) => {
    const prediction: DuckDBValue[] = s.values ? Array.from(s.values) : types[keys.length]!.toString() === 'BIGINT' ? s.labels!.map((l) => BigInt(l)) : s.labels!;
    const k = s.classes?.length ?? 0;
    const proba = opts.probabilities ? Array.from({ length: k }, (_, j) => Array.from({ length: batch.rows.length }, (_, r) => s.proba![r * k + j]!)) : [];
    const all = [...batch.keys, prediction, ...proba];
    for (let start = 0; start < batch.rows.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, batch.rows.length - start);
      chunk.reset();
      chunk.setColumns(all.map((col) => col.slice(start, start + n)));
      appender.appendDataChunk(chunk);
    }
  };
  const flush = async () => {
    if (pending.rows.length === 0) return;
    const batch = pending;
    pending = { rows: [], keys: keys.map(() => []) };
    append(batch, await scoreBatch(ort, model, batch.rows));
    rows += batch.rows.length;
    staged += batch.rows.length;
    if (staged >= PART_ROWS) await writePart();
    opts.progress?.('Scoring', rows, undefined, 'rows');
  };

  const select = [...keys, ...features].map(quoteIdent).join(', ');
  try {
    await engine.streamChunks(`SELECT ${select} FROM ${VIEW}`, async (chunkRows, chunk) => {
      const keyValues = keys.map((_, i) => chunk.getColumnValues(i));
      for (let from = 0; from < chunkRows.length; ) {
        const take = Math.min(opts.batchSize - pending.rows.length, chunkRows.length - from);
        for (let r = from; r < from + take; r++) pending.rows.push(chunkRows[r]!);
        keyValues.forEach((values, i) => pending.keys[i]!.push(...values.slice(from, from + take)));
        from += take;
        if (pending.rows.length >= opts.batchSize) await flush();
      }
    });
    await flush();
    if (staged > 0) await writePart();
    opts.progress?.('Scoring', rows, rows, 'rows');
  } catch (e) {
    throw await table.asUserError(e);
  } finally {
    appender.closeSync();
  }
  await table.assertReadFully(rows);
  if (rows === 0) throw noRows();
  const scoreSeconds = (performance.now() - started) / 1000;

  const predictions = `read_parquet([${parts.map(quoteString).join(', ')}])`;
  const distribution = await distributionOf(engine, predictions, model.output.kind === 'regressor');
  const t0 = performance.now();
  await writeAtomically(engine, predictions, opts.output, opts.format);
  return { rows, columns: columns.map((c) => c.name), distribution, scoreSeconds, writeSeconds: (performance.now() - t0) / 1000 };
}

async function distributionOf(engine: Engine, from: string, regression: boolean): Promise<Distribution> {
  const p = quoteIdent(PREDICTION_COLUMN);
  if (regression) {
    const [r] = await engine.query(`SELECT count(${p}) AS n, min(${p}) AS lo, max(${p}) AS hi, avg(${p}) AS mean, to_json(quantile_cont(${p}, [${QUANTILES.join(', ')}])) AS q FROM ${from}`);
    const q = JSON.parse(String(r!.q)) as number[];
    return { kind: 'values', count: Number(r!.n), min: Number(r!.lo), max: Number(r!.hi), mean: Number(r!.mean), quantiles: QUANTILES.map((x, i) => ({ q: x, value: q[i]! })) };
  }
  const counts = await engine.query(`SELECT CAST(${p} AS VARCHAR) AS label, count(*) AS n FROM ${from} GROUP BY 1 ORDER BY n DESC, label`);
  const total = counts.reduce((s, r) => s + Number(r.n), 0);
  return { kind: 'classes', classes: counts.map((r) => ({ label: String(r.label), count: Number(r.n), share: Number(r.n) / total })) };
}

/** COPY the predictions (the parts, in order) to a temp file beside `output`, then rename it: never a half-written output. */
async function writeAtomically(engine: Engine, from: string, output: string, format: OutputFormat): Promise<void> {
  const tmp = path.join(path.dirname(output), `.${path.basename(output)}.${process.pid}.tmp`);
  // USE_TMP_FILE false: the temp file is ours; DuckDB would otherwise write a second one beside it.
  const options = `${format === 'parquet' ? 'FORMAT parquet' : 'FORMAT csv, HEADER true'}, USE_TMP_FILE false`;
  try {
    fs.mkdirSync(path.dirname(output), { recursive: true });
    if (fs.statSync(output, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    fs.writeFileSync(tmp, ''); // a path we cannot write is the user's error, before DuckDB's message
    await engine.query(`COPY (SELECT * FROM ${from}) TO ${quoteString(tmp)} (${options})`);
    fs.renameSync(tmp, output);
  } catch (e) {
    throw fileError(e, output, { input: 'output' }, true);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
