#!/usr/bin/env node
// Train a multinomial logistic regression (softmax) on the Seattle weather data with plain Node
// (no dependencies, Node >= 20) and write model.onnx + metrics.json, the contract of the
// `train` action:
//   MLOPS_PARAMS      params file, JSON (default: params.json beside this file); reads the
//                     top-level features/target/test_from and the `logreg` section
//   MLOPS_SEED        integer seed for the weight initialisation (default: params.seed or 0)
//   MLOPS_DATA_FILES  a JSON file holding the array of CSV paths, concatenated (any file name);
//   MLOPS_DATA        else newline-separated CSV paths (default: data/seattle-weather.csv)
//   MLOPS_OUTPUT_DIR  where model.onnx and metrics.json go (default: the working directory)
//
// Split: time-based, train = rows dated before `test_from` (2012-2014), test = rows on or after
// it (2015). Model: standardize -> linear -> softmax, trained by full-batch gradient descent on
// mean cross-entropy + l2/2 * |W|^2 (bias not penalized).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType, attr, encodeModel } from './onnx-writer.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function fail(msg) {
  console.error(`train.mjs: ${msg}`);
  process.exit(1);
}

// ---- inputs ------------------------------------------------------------------------------

export function loadParams(file) {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: params must be JSON (which is also valid YAML): ${e.message}`);
  }
}

/** Parse simple CSV (no quoted fields) into an array of {column: string} rows. */
export function readCsv(file) {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((h) => h.trim());
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length) throw new Error(`${file}:${i + 2}: ${cells.length} fields, header has ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h, cells[j].trim()]));
  });
}

/** Rows -> {X: float32-valued rows, y: labels}; dates split at testFrom (ISO strings compare as dates). */
export function splitRows(rows, features, target, testFrom) {
  const train = { X: [], y: [] };
  const test = { X: [], y: [] };
  for (const r of rows) {
    const x = features.map((f) => {
      const v = Number(r[f]);
      if (r[f] === undefined || r[f] === '' || !Number.isFinite(v)) throw new Error(`bad ${f} on ${r.date}: ${r[f]}`);
      return Math.fround(v); // the model's inputs are float32
    });
    const part = r.date < testFrom ? train : test;
    part.X.push(x);
    part.y.push(r[target]);
  }
  return { train, test };
}

// ---- model -------------------------------------------------------------------------------

/** mulberry32: a small, well-known 32-bit PRNG; same seed, same stream. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand) {
  const u = 1 - rand(); // (0, 1]
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function softmaxInPlace(z) {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < z.length; k++) {
    z[k] = Math.exp(z[k] - max);
    sum += z[k];
  }
  for (let k = 0; k < z.length; k++) z[k] /= sum;
  return z;
}

/** Fit mean/std (population) on the training rows; both rounded to float32 as stored in the model. */
export function standardizer(X) {
  const d = X[0].length;
  const mean = new Array(d).fill(0);
  const std = new Array(d).fill(0);
  for (const x of X) for (let j = 0; j < d; j++) mean[j] += x[j];
  for (let j = 0; j < d; j++) mean[j] /= X.length;
  for (const x of X) for (let j = 0; j < d; j++) std[j] += (x[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j] / X.length) || 1;
  return { mean: mean.map(Math.fround), std: std.map(Math.fround) };
}

/** Standardize like the ONNX graph does: float32 Sub then float32 Div. */
function standardize(x, { mean, std }) {
  return x.map((v, j) => Math.fround(Math.fround(v - mean[j]) / std[j]));
}

export function trainSoftmax(Z, yIdx, K, { learningRate, epochs, l2, seed }) {
  const n = Z.length;
  const d = Z[0].length;
  const rand = mulberry32(seed);
  const W = Array.from({ length: d }, () => Array.from({ length: K }, () => 0.01 * gaussian(rand)));
  const b = new Array(K).fill(0);
  const gW = Array.from({ length: d }, () => new Array(K).fill(0));
  const gb = new Array(K).fill(0);
  const p = new Array(K);
  let loss = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let j = 0; j < d; j++) gW[j].fill(0);
    gb.fill(0);
    loss = 0;
    for (let i = 0; i < n; i++) {
      const z = Z[i];
      for (let k = 0; k < K; k++) {
        let s = b[k];
        for (let j = 0; j < d; j++) s += z[j] * W[j][k];
        p[k] = s;
      }
      softmaxInPlace(p);
      loss -= Math.log(Math.max(p[yIdx[i]], 1e-300));
      for (let k = 0; k < K; k++) {
        const g = p[k] - (k === yIdx[i] ? 1 : 0);
        gb[k] += g;
        for (let j = 0; j < d; j++) gW[j][k] += g * z[j];
      }
    }
    let reg = 0;
    for (let j = 0; j < d; j++) {
      for (let k = 0; k < K; k++) {
        reg += W[j][k] ** 2;
        W[j][k] -= learningRate * (gW[j][k] / n + l2 * W[j][k]);
      }
    }
    for (let k = 0; k < K; k++) b[k] -= learningRate * (gb[k] / n);
    loss = loss / n + (l2 / 2) * reg;
  }
  // The model stores float32 weights; use exactly those from here on.
  return { W: W.map((row) => row.map(Math.fround)), b: b.map(Math.fround), loss };
}

/** Probabilities as the ONNX graph computes them (float32 outputs), and argmax labels. */
export function predict(model, X) {
  return X.map((x) => {
    const z = standardize(x, model.scaler);
    const logits = model.b.map((bk, k) => {
      let s = 0;
      for (let j = 0; j < z.length; j++) s += z[j] * model.W[j][k];
      return Math.fround(Math.fround(s) + bk);
    });
    const probs = softmaxInPlace(logits).map(Math.fround);
    let best = 0;
    for (let k = 1; k < probs.length; k++) if (probs[k] > probs[best]) best = k; // first max, like ArgMax
    return { probs, label: model.classes[best] };
  });
}

// ---- metrics (same definitions as scikit-learn's) -----------------------------------------

/**
 * accuracy; f1 per class and macro-F1 over the labels present in y_true or y_pred (scikit-learn's
 * default label set, zero_division=0); log_loss = mean -ln(clip(p_true, eps, 1-eps)), eps = 2^-52.
 * Named as the whole suite names metrics (docs/metrics.md): {accuracy, f1: {macro, class: {rain}},
 * log_loss}, which flattens to accuracy, f1.macro, f1.class.rain, log_loss.
 */
export function classificationMetrics(yTrue, yPred, probs, classes) {
  const n = yTrue.length;
  let correct = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) correct++;
  const labels = [...new Set([...yTrue, ...yPred])].sort();
  const f1PerClass = {};
  for (const c of labels) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < n; i++) {
      if (yPred[i] === c && yTrue[i] === c) tp++;
      else if (yPred[i] === c) fp++;
      else if (yTrue[i] === c) fn++;
    }
    f1PerClass[c] = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  const f1Macro = labels.reduce((s, c) => s + f1PerClass[c], 0) / labels.length;
  const metrics = { accuracy: correct / n, f1: { macro: f1Macro, class: f1PerClass } };
  if (probs) {
    const eps = Number.EPSILON;
    let ll = 0;
    for (let i = 0; i < n; i++) {
      const k = classes.indexOf(yTrue[i]);
      const p = k < 0 ? 0 : probs[i][k];
      ll -= Math.log(Math.min(Math.max(p, eps), 1 - eps));
    }
    metrics.log_loss = ll / n;
  }
  return metrics;
}

// ---- ONNX graph ----------------------------------------------------------------------------

/**
 * Inputs: one float32 [N, 1] tensor per feature, named after it.
 * precipitation, temp_max, ... -> Concat(axis 1) -> Sub(mean) -> Div(std) -> MatMul(W) -> Add(b)
 *   -> Softmax(axis 1) = `probabilities` float32 [N, K]
 *   -> ArgMax(axis 1) -> LabelEncoder(int64 -> string) = `label` string [N]
 */
export function buildOnnx(model, { features, seed, testFrom }) {
  const K = model.classes.length;
  const d = features.length;
  const flat = (rows) => rows.flat();
  return encodeModel({
    irVersion: 8,
    opsets: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producerName: 'mlops-examples-weather-train.mjs',
    producerVersion: '1.0.0',
    modelVersion: 1,
    docString: 'Seattle weather: multinomial logistic regression (softmax) on standardized features.',
    graph: {
      name: 'weather_logreg',
      nodes: [
        { opType: 'Concat', name: 'concat', inputs: features, outputs: ['features'], attributes: [attr.int('axis', 1)] },
        { opType: 'Sub', name: 'center', inputs: ['features', 'mean'], outputs: ['centered'] },
        { opType: 'Div', name: 'scale', inputs: ['centered', 'std'], outputs: ['standardized'] },
        { opType: 'MatMul', name: 'matmul', inputs: ['standardized', 'W'], outputs: ['xw'] },
        { opType: 'Add', name: 'bias', inputs: ['xw', 'b'], outputs: ['logits'] },
        { opType: 'Softmax', name: 'softmax', inputs: ['logits'], outputs: ['probabilities'], attributes: [attr.int('axis', 1)] },
        {
          opType: 'ArgMax', name: 'argmax', inputs: ['probabilities'], outputs: ['class_index'],
          attributes: [attr.int('axis', 1), attr.int('keepdims', 0)],
        },
        {
          opType: 'LabelEncoder', domain: 'ai.onnx.ml', name: 'index_to_label', inputs: ['class_index'], outputs: ['label'],
          attributes: [
            attr.ints('keys_int64s', model.classes.map((_, k) => k)),
            attr.strings('values_strings', model.classes),
            attr.string('default_string', ''),
          ],
        },
      ],
      initializers: [
        { name: 'mean', dataType: DataType.FLOAT, dims: [d], values: model.scaler.mean },
        { name: 'std', dataType: DataType.FLOAT, dims: [d], values: model.scaler.std },
        { name: 'W', dataType: DataType.FLOAT, dims: [d, K], values: flat(model.W) },
        { name: 'b', dataType: DataType.FLOAT, dims: [K], values: model.b },
      ],
      inputs: features.map((f) => ({ name: f, elemType: DataType.FLOAT, shape: ['N', 1] })),
      outputs: [
        { name: 'label', elemType: DataType.STRING, shape: ['N'] },
        { name: 'probabilities', elemType: DataType.FLOAT, shape: ['N', K] },
      ],
    },
    metadata: {
      classes: JSON.stringify(model.classes), // column order of `probabilities`
      features: JSON.stringify(features),
      split: `train: date < ${testFrom}; test: date >= ${testFrom}`,
      seed: String(seed),
    },
  });
}

// ---- main ----------------------------------------------------------------------------------

function main() {
  const paramsFile = process.env.MLOPS_PARAMS || path.join(HERE, 'params.json');
  const params = loadParams(paramsFile);
  const seedText = process.env.MLOPS_SEED ?? String(params.seed ?? 0);
  if (!/^-?\d+$/.test(seedText.trim())) fail(`MLOPS_SEED must be an integer, got "${seedText}"`);
  const seed = Number(seedText.trim());
  const dataFiles = process.env.MLOPS_DATA_FILES
    ? JSON.parse(fs.readFileSync(process.env.MLOPS_DATA_FILES, 'utf8'))
    : (process.env.MLOPS_DATA || path.join(HERE, 'data', 'seattle-weather.csv')).split('\n').map((s) => s.trim()).filter(Boolean);
  const outDir = process.env.MLOPS_OUTPUT_DIR || process.cwd();

  const features = params.features ?? ['precipitation', 'temp_max', 'temp_min', 'wind'];
  const target = params.target ?? 'weather';
  const testFrom = params.test_from ?? '2015-01-01';
  const lr = params.logreg ?? {};
  const hyper = {
    learningRate: Number(lr.learning_rate ?? 2.0),
    epochs: Number(lr.epochs ?? 8000),
    l2: Number(lr.l2 ?? 0.0001),
    seed,
  };
  for (const [k, v] of Object.entries(hyper)) if (!Number.isFinite(v)) fail(`logreg.${k} must be a number`);

  const rows = dataFiles.flatMap(readCsv);
  const { train, test } = splitRows(rows, features, target, testFrom);
  if (train.X.length === 0 || test.X.length === 0) fail(`empty split at ${testFrom}: ${train.X.length} train / ${test.X.length} test rows`);

  const classes = [...new Set(train.y)].sort(); // sorted, like scikit-learn's classes_
  const scaler = standardizer(train.X);
  const Z = train.X.map((x) => standardize(x, scaler));
  const yIdx = train.y.map((c) => classes.indexOf(c));
  const t0 = Date.now();
  const { W, b, loss } = trainSoftmax(Z, yIdx, classes.length, hyper);
  const model = { classes, scaler, W, b };

  const pred = predict(model, test.X);
  const m = classificationMetrics(test.y, pred.map((p) => p.label), pred.map((p) => p.probs), classes);
  const metrics = {
    accuracy: m.accuracy,
    f1: m.f1,
    log_loss: m.log_loss,
    train_loss: loss,
    n_train: train.X.length,
    n_test: test.X.length,
  };

  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'model.onnx'), buildOnnx(model, { features, seed, testFrom }));
  fs.writeFileSync(path.join(outDir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  console.log(
    `train.mjs: softmax regression, ${hyper.epochs} epochs in ${Date.now() - t0} ms, seed ${seed}; ` +
      `train ${train.X.length} rows (< ${testFrom}), test ${test.X.length}: accuracy ${m.accuracy.toFixed(4)}, ` +
      `f1.macro ${m.f1.macro.toFixed(4)}, log_loss ${m.log_loss.toFixed(4)} -> ${path.join(outDir, 'model.onnx')}`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    fail(e.message);
  }
}
