#!/usr/bin/env node
// Load a weather model.onnx in onnxruntime-node, run the test rows through it, print its
// inputs/outputs and the metrics it gets, and compare its accuracy with metrics.json.
//
//   node examples/weather/check-model.mjs <model.onnx> [--metrics metrics.json] [--params params.json]
//        [--data data.csv] [--tolerance 1e-6]
//
// --metrics defaults to metrics.json beside the model (skipped if absent); --params to
// MLOPS_PARAMS or params.json beside this file; --data to MLOPS_DATA or the shipped CSV.
// Inputs are fed by name: an input named after a feature gets that column as float32 [N, 1];
// an input of width d = number of features gets all of them as float32 [N, d].
// Exit code 1 if the model's accuracy differs from metrics.json's by more than the tolerance.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { classificationMetrics, loadParams, readCsv, splitRows } from './train.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

async function loadOrt() {
  try {
    return await import('onnxruntime-node');
  } catch {
    // Not resolvable from here: try the repository root's node_modules.
    return createRequire(path.join(HERE, '..', '..', 'package.json'))('onnxruntime-node');
  }
}

function describe(meta, name) {
  if (!meta) return name;
  if (!meta.isTensor) return `${name}: non-tensor (e.g. ZipMap: sequence<map<string, float>>)`;
  return `${name}: ${meta.type} [${meta.shape.map((d) => (d === '' ? '?' : d)).join(', ')}]`;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      metrics: { type: 'string' },
      params: { type: 'string' },
      data: { type: 'string' },
      tolerance: { type: 'string', default: '1e-6' },
    },
  });
  if (positionals.length !== 1) {
    console.error('usage: check-model.mjs <model.onnx> [--metrics f] [--params f] [--data f] [--tolerance x]');
    process.exit(2);
  }
  const modelPath = positionals[0];
  const params = loadParams(values.params || process.env.MLOPS_PARAMS || path.join(HERE, 'params.json'));
  const features = params.features ?? ['precipitation', 'temp_max', 'temp_min', 'wind'];
  const testFrom = params.test_from ?? '2015-01-01';
  const dataFiles = (values.data || process.env.MLOPS_DATA || path.join(HERE, 'data', 'seattle-weather.csv'))
    .split('\n').map((s) => s.trim()).filter(Boolean);
  const { train, test } = splitRows(dataFiles.flatMap(readCsv), features, params.target ?? 'weather', testFrom);
  // Column order of a plain `probabilities` tensor: the sorted training labels, as both trainers
  // use (and record in the model's metadata_props "classes").
  const classes = [...new Set(train.y)].sort();
  const n = test.X.length;

  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(modelPath);
  const inMeta = Object.fromEntries((session.inputMetadata ?? []).map((m) => [m.name, m]));
  const outMeta = Object.fromEntries((session.outputMetadata ?? []).map((m) => [m.name, m]));
  console.log(`model ${modelPath}`);
  for (const name of session.inputNames) console.log(`  input  ${describe(inMeta[name], name)}`);
  for (const name of session.outputNames) console.log(`  output ${describe(outMeta[name], name)}`);

  const feeds = {};
  for (const name of session.inputNames) {
    const j = features.indexOf(name);
    if (j >= 0) {
      feeds[name] = new ort.Tensor('float32', Float32Array.from(test.X, (x) => x[j]), [n, 1]);
    } else if (inMeta[name]?.shape?.at(-1) === features.length) {
      feeds[name] = new ort.Tensor('float32', Float32Array.from(test.X.flat()), [n, features.length]);
    } else {
      throw new Error(`don't know what to feed input "${name}" (features: ${features.join(', ')})`);
    }
  }
  // onnxruntime-node returns tensors only ("Non tensor type is temporarily not supported"):
  // fetch just the tensor outputs, so a ZipMap `probabilities` is skipped.
  const fetches = session.outputNames.filter((name) => outMeta[name]?.isTensor !== false);
  const skipped = session.outputNames.filter((name) => !fetches.includes(name));
  if (skipped.length) console.log(`  not fetched (onnxruntime-node returns tensors only): ${skipped.join(', ')}`);
  const out = await session.run(feeds, fetches);

  let probs;
  if (out.probabilities?.type === 'float32') {
    const K = out.probabilities.dims[1];
    const data = out.probabilities.data;
    probs = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * K, (i + 1) * K)));
  }
  const argmaxLabels = probs?.map((p) => classes[p.indexOf(Math.max(...p))]);
  let labels;
  if (out.label) {
    labels = Array.from(out.label.data, String);
    if (argmaxLabels) {
      const differ = labels.filter((l, i) => l !== argmaxLabels[i]).length;
      console.log(`  label vs argmax(probabilities) over sorted classes: ${differ} of ${n} differ`);
    }
  } else if (argmaxLabels) {
    labels = argmaxLabels;
  } else {
    throw new Error('model has neither a `label` output nor a tensor `probabilities` output');
  }

  const got = classificationMetrics(test.y, labels, probs, classes);
  console.log(`test rows: ${n} (date >= ${testFrom})`);
  console.log(`  accuracy ${got.accuracy}`);
  console.log(`  f1.macro ${got.f1.macro}`);
  console.log(`  log_loss ${got.log_loss ?? '(no tensor probabilities)'}`);

  const metricsPath = values.metrics || path.join(path.dirname(modelPath), 'metrics.json');
  if (!fs.existsSync(metricsPath)) {
    console.log(`no ${metricsPath}: nothing to compare`);
    return;
  }
  const want = JSON.parse(fs.readFileSync(metricsPath, 'utf8'));
  const tol = Number(values.tolerance);
  let ok = true;
  // Dotted names as the suite flattens metrics.json: f1.macro is {"f1": {"macro": ...}}.
  const at = (obj, key) => key.split('.').reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
  for (const key of ['accuracy', 'f1.macro', 'log_loss']) {
    if (at(got, key) === undefined || typeof at(want, key) !== 'number') continue;
    const diff = Math.abs(at(got, key) - at(want, key));
    const gate = key === 'accuracy';
    if (gate && diff > tol) ok = false;
    console.log(`  ${key}: metrics.json ${at(want, key)}, |diff| ${diff.toExponential(2)}${gate ? (diff > tol ? ` > ${tol} FAIL` : ` <= ${tol} ok`) : ''}`);
  }
  if (!ok) process.exit(1);
}

main().catch((e) => {
  console.error(`check-model.mjs: ${e.message}`);
  process.exit(1);
});
