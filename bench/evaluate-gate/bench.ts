// Bench entry for the evaluate-gate stage (bench/run.sh evaluate-gate), bundled with esbuild into
// bench/.data/evaluate-gate.mjs (onnxruntime-node and @duckdb/node-bindings external: their
// .node binaries load from the repo's node_modules) and run with the repo's Node 24. One
// measurement per process, so
// /usr/bin/time sees exactly that one:
//
//   prepare CSV OUTDIR ROWS SMALL_ROWS FOREST   the weather rows repeated, in order, to ROWS rows
//                                               (OUTDIR/weather-big.{csv,parquet}) and to
//                                               SMALL_ROWS (weather-small.parquet); FOREST's
//                                               model with ZipMap unwrapped as prepareModel does
//                                               it (FOREST's dir/model-unwrapped.onnx, for Python)
//   floor MODEL DATA BATCH                      raw onnxruntime-node: the columns read into
//                                               Float32Arrays and every batch's tensors built
//                                               first (not timed), then only session.run timed
//   ours MODEL DATA BATCH                       our code: openEngine + openTable, prepareModel,
//                                               scoreAll (no latency sample), evaluateModel
//   evaluate CANDIDATE BASELINE DATA BATCH RESAMPLES
//                                               the evaluation as evaluate-gate.ts runs it (no
//                                               slices, no report, no comment), by phase
//
// Each prints one JSON line: rows, seconds per phase, rows/s, RSS after the phases, metrics.
// The session options are prepareModel's (1 intra-op and 1 inter-op thread, all graph
// optimizations) in the floor too; DuckDB gets openEngine's defaults (threads = cores).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { classLabels, intervals, latencyMetrics, prepareModelScores } from '../../shared/model/evaluation.js';
import { type Engine, openEngine, quoteString } from '../../shared/data/engine.js';
import { resolveData } from '../../shared/data/source.js';
import { openTable, VIEW } from '../../shared/data/table.js';
import { prepareModel, scoreAll, type Task } from '../../shared/model/score.js';
import { unwrapZipMap } from '../../shared/model/zipmap.js';
import type { Logger } from '../../shared/runtime/context.js';
import { mcnemar } from '../../shared/stats/mcnemar.js';

const log: Logger = {
  info: (m) => console.error(m),
  warn: (m) => console.error(`warning: ${m}`),
  debug: () => {},
  group: (_name, fn) => fn(),
};

const LABEL = 'weather';
const mib = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const now = () => performance.now() / 1000;
const round = (x: number, d = 4) => Number(x.toFixed(d));

async function engineOn(data: string): Promise<{ engine: Engine; columns: { name: string; type: string }[]; assertReadFully: (rows: number) => Promise<void> }> {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-eg-'));
  const engine = await openEngine({ log, tempDir });
  const table = await openTable(engine, await resolveData(path.resolve(data), process.cwd()));
  return { engine, columns: table.columns, assertReadFully: table.assertReadFully };
}

async function prepare(csv: string, outDir: string, rows: number, smallRows: number, forest: string): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-bench-eg-'));
  const engine = await openEngine({ log, tempDir });
  try {
    await engine.query(`CREATE TABLE w AS SELECT row_number() OVER () AS i, * FROM read_csv(${quoteString(path.resolve(csv))}, header=true, types={'date': 'VARCHAR', 'weather': 'VARCHAR'})`);
    const [{ n }] = (await engine.query('SELECT count(*) AS n FROM w')) as [{ n: number }];
    const copies = Math.ceil(rows / n);
    const big = `SELECT * EXCLUDE (r, i) FROM range(${copies}) t(r), w ORDER BY r, i LIMIT ${rows}`;
    await engine.query(`COPY (${big}) TO ${quoteString(path.join(outDir, 'weather-big.parquet'))} (FORMAT parquet)`);
    await engine.query(`COPY (${big}) TO ${quoteString(path.join(outDir, 'weather-big.csv'))} (FORMAT csv, HEADER true)`);
    const small = `SELECT * EXCLUDE (r, i) FROM range(${Math.ceil(smallRows / n)}) t(r), w ORDER BY r, i LIMIT ${smallRows}`;
    await engine.query(`COPY (${small}) TO ${quoteString(path.join(outDir, 'weather-small.parquet'))} (FORMAT parquet)`);
  } finally {
    engine.close();
  }
  const { model, zipmaps } = unwrapZipMap(fs.readFileSync(forest));
  fs.writeFileSync(path.join(path.dirname(forest), 'model-unwrapped.onnx'), model);
  console.log(JSON.stringify({ rows, smallRows, zipmaps }));
}

/** The outputs scoreAll fetches for a classifier, read from the prepared model (same fetches here). */
function fetchesOf(m: Awaited<ReturnType<typeof prepareModel>>): string[] {
  return m.output.kind === 'classifier' ? [m.output.label, m.output.proba].filter((x): x is string => !!x) : [m.output.value];
}

async function floor(modelFile: string, data: string, batchSize: number): Promise<void> {
  const t0 = now();
  const { engine, columns } = await engineOn(data);
  const m = await prepareModel('candidate', modelFile, modelFile, columns, LABEL, log);
  const ort = await import('onnxruntime-node');
  // The input columns as Float32Arrays (not timed: the floor is session.run alone).
  const names = m.inputs.map((b) => b.columns[0]!);
  for (const b of m.inputs) if (b.spec.type !== 'float32' || b.columns.length !== 1) throw new Error(`floor supports float32 [N, 1] inputs only: ${b.spec.name}`);
  const parts: number[][] = names.map(() => []);
  await engine.stream(`SELECT ${names.map((c) => `"${c}"`).join(', ')} FROM ${VIEW}`, (rows) => {
    for (const r of rows) names.forEach((c, j) => parts[j]!.push(Number(r[c])));
  });
  engine.close();
  const cols = parts.map((p) => Float32Array.from(p));
  const n = cols[0]!.length;
  const feeds: Record<string, Tensor>[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    feeds.push(Object.fromEntries(m.inputs.map((b, j) => [b.spec.name, new ort.Tensor('float32', cols[j]!.subarray(s, e), [e - s, 1])])));
  }
  const setup = now() - t0;
  const fetches = fetchesOf(m);
  // Reading the outputs as scoreAll does: the probabilities copied, the labels touched.
  const t1 = now();
  let check = 0;
  for (const f of feeds) {
    const out: InferenceSession.ReturnType = await m.session.run(f, fetches);
    check += (out[fetches[fetches.length - 1]!]!.data as Float32Array).length;
  }
  const run = now() - t1;
  console.log(JSON.stringify({ tool: 'floor', rows: n, batches: feeds.length, batchSize, setupSeconds: round(setup), runSeconds: round(run), rowsPerSecond: Math.round(n / run), outputs: check, rssMiB: mib() }));
}

async function ours(modelFile: string, data: string, batchSize: number): Promise<void> {
  const t0 = now();
  const { engine, columns, assertReadFully } = await engineOn(data);
  const t1 = now();
  const m = await prepareModel('candidate', modelFile, modelFile, columns, LABEL, log);
  const t2 = now();
  const scored = await scoreAll(engine, [m], LABEL, [], { batchSize, latencySample: 0 });
  const t3 = now();
  await assertReadFully(scored.n);
  engine.close();
  const rssScored = mib();
  const t4 = now();
  const s = scored.models[0]!;
  const task: Task = new Set([...scored.yText, ...(s.classes ?? [])]).size <= 2 ? 'binary' : 'multiclass';
  const labels = classLabels(scored, scored.models);
  const ev = prepareModelScores(task, scored, s, labels).evaluate();
  const t5 = now();
  const run = s.batchMs.reduce((a, b) => a + b, 0) / 1000;
  console.log(
    JSON.stringify({
      tool: 'ours',
      rows: scored.n,
      batchSize,
      openSeconds: round(t1 - t0),
      loadSeconds: round(t2 - t1),
      scoreSeconds: round(t3 - t2),
      runSeconds: round(run),
      rowsPerSecond: Math.round(scored.n / (t3 - t2)),
      rejectsSeconds: round(t4 - t3),
      metricsSeconds: round(t5 - t4),
      totalSeconds: round(t5 - t0),
      rssScoredMiB: rssScored,
      rssMiB: mib(),
      metrics: pick(ev.metrics),
    }),
  );
}

function pick(m: Record<string, number>): Record<string, number> {
  // Python's names (py_eval.py): f1 is the macro average.
  return { accuracy: m.accuracy!, f1: m['f1.macro']!, roc_auc: m.roc_auc!, log_loss: m.log_loss! };
}

/** evaluate-gate.ts's evaluation, phase by phase (the same calls in the same order). */
async function evaluate(candidateFile: string, baselineFile: string, data: string, batchSize: number, resamples: number): Promise<void> {
  const phases: Record<string, number> = {};
  const rss: Record<string, number> = {};
  let t = now();
  const lap = (name: string) => {
    const u = now();
    phases[name] = round(u - t);
    rss[name] = mib();
    t = u;
  };
  const { engine, columns, assertReadFully } = await engineOn(data);
  lap('open');
  const models = [await prepareModel('candidate', candidateFile, candidateFile, columns, LABEL, log), await prepareModel('baseline', baselineFile, baselineFile, columns, LABEL, log)];
  lap('load');
  const scored = await scoreAll(engine, models, LABEL, [], { batchSize, latencySample: 200 });
  lap('score');
  await assertReadFully(scored.n);
  engine.close();
  lap('rejects');
  const [cand, base] = scored.models as [(typeof scored.models)[0], (typeof scored.models)[0]];
  const task: Task = new Set([...scored.yText, ...(cand.classes ?? [])]).size <= 2 ? 'binary' : 'multiclass';
  const labels = classLabels(scored, scored.models);
  const candPrepared = prepareModelScores(task, scored, cand, labels);
  const basePrepared = prepareModelScores(task, scored, base, labels);
  lap('prepare');
  const candidateMetrics = { ...candPrepared.evaluate().metrics, ...latencyMetrics(cand) };
  const baselineMetrics = { ...basePrepared.evaluate().metrics, ...latencyMetrics(base) };
  lap('metrics');
  const ci = intervals(candPrepared, basePrepared, { resamples, seed: 42, confidence: 0.95 });
  lap('intervals');
  const mc = mcnemar(
    cand.labels!.map((p, r) => p === scored.yText[r]),
    base.labels!.map((p, r) => p === scored.yText[r]),
  );
  lap('mcnemar');
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / 1000;
  const total = Object.values(phases).reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      tool: 'evaluate',
      rows: scored.n,
      batchSize,
      resamples,
      phases,
      totalSeconds: round(total),
      // Of the score phase: session.run over the batches, and the 200 single-row calls per model.
      runSeconds: round(sum(cand.batchMs) + sum(base.batchMs)),
      rowSampleSeconds: round(sum(cand.rowMs) + sum(base.rowMs)),
      rssMiB: rss,
      candidate: pick(candidateMetrics),
      baseline: pick(baselineMetrics),
      candidateCi: { accuracy: ci.candidate.accuracy, f1: ci.candidate['f1.macro'], roc_auc: ci.candidate.roc_auc, log_loss: ci.candidate.log_loss },
      difference: { accuracy: ci.difference.accuracy, f1: ci.difference['f1.macro'], roc_auc: ci.difference.roc_auc, log_loss: ci.difference.log_loss },
      mcnemar: { b: mc.b, c: mc.c, pValue: mc.pValue },
    }),
  );
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
  case 'prepare':
    await prepare(args[0]!, args[1]!, Number(args[2]), Number(args[3]), args[4]!);
    break;
  case 'floor':
    await floor(args[0]!, args[1]!, Number(args[2]));
    break;
  case 'ours':
    await ours(args[0]!, args[1]!, Number(args[2]));
    break;
  case 'evaluate':
    await evaluate(args[0]!, args[1]!, args[2]!, Number(args[3]), Number(args[4]));
    break;
  default:
    console.error('usage: evaluate-gate.mjs prepare|floor|ours|evaluate ... (see bench/evaluate-gate/bench.ts)');
    process.exit(2);
}
