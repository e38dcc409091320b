import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../shared/runtime/context.js';
import { type ModelServer, startModelServer } from '../../shared/serving/server.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

const WEATHER = path.join(REPO_ROOT, 'examples/weather');
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'] as const;
const CLASSES = ['drizzle', 'fog', 'rain', 'snow', 'sun'];
const ROWS = [
  { precipitation: 0, temp_max: 12.8, temp_min: 5, wind: 4.7 },
  { precipitation: 10.9, temp_max: 10.6, temp_min: 2.8, wind: 4.5 },
  { precipitation: 0.8, temp_max: 11.7, temp_min: 7.2, wind: 2.3 },
  { precipitation: 20.3, temp_max: 12.2, temp_min: 5.6, wind: 4.7 },
  { precipitation: 0, temp_max: 30.6, temp_min: 15, wind: 2.1 },
];

function train(kind: 'node' | 'python'): string {
  const out = tempDir(`serving-${kind}-`);
  const [cmd, script] = kind === 'node' ? [process.execPath, 'train.mjs'] : [path.join(REPO_ROOT, '.tools/venv/bin/python'), 'train.py'];
  execFileSync(cmd, [script], { cwd: WEATHER, env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: out }, stdio: 'pipe' });
  return path.join(out, 'model.onnx');
}

function quietLogger(lines: string[] = []): Logger {
  return {
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    debug: () => {},
    group: (_n, fn) => fn(),
  };
}

/** OIP inputs for rows: one [N, 1] FP32 tensor per feature, flat or nested data. */
function tensorsFor(rows: typeof ROWS, nested = false) {
  return FEATURES.map((f) => ({
    name: f,
    datatype: 'FP32',
    shape: [rows.length, 1],
    data: nested ? rows.map((r) => [r[f]]) : rows.map((r) => r[f]),
  }));
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function getJson(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parse the text exposition format (the parts this server writes). */
function parseMetrics(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const type = line.match(/^# TYPE (\S+) (\S+)$/);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    expect(m, `malformed sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let consumed = 0;
    for (const l of (m![2] ?? '').matchAll(re)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      consumed += l[0].length;
    }
    expect(consumed).toBe((m![2] ?? '').length);
    const raw = m![3]!;
    samples.push({ name: m![1]!, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return { samples, types };
}

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The file's lines once it has at least `n` (writes reach the file shortly after the reply). */
async function linesOf(file: string, n: number): Promise<string[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length >= n || Date.now() > deadline) return lines;
    await new Promise((r) => setTimeout(r, 10));
  }
}

function argmax(row: number[]): number {
  return row.indexOf(Math.max(...row));
}

let nodeModel: string;
let zipmapModel: string;
const servers: ModelServer[] = [];

beforeAll(() => {
  nodeModel = train('node');
  zipmapModel = train('python');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(opts: Partial<Parameters<typeof startModelServer>[0]> & { modelPath: string }): Promise<ModelServer> {
  const s = await startModelServer({ port: 0, host: '127.0.0.1', log: quietLogger(), ...opts });
  servers.push(s);
  return s;
}

describe('model server, Node-trained softmax model (plain tensors)', () => {
  let server: ModelServer;
  let logFile: string;
  const log: string[] = [];

  beforeAll(async () => {
    logFile = path.join(tempDir('serving-log-'), 'predictions.jsonl');
    server = await serve({ modelPath: nodeModel, modelName: 'weather', modelVersion: '3', predictionLog: logFile, predictionLogSample: 1, log: quietLogger(log) });
  });

  it('logs the model load time at start', () => {
    expect(log.join('\n')).toMatch(/serving weather version 3 \(classification\) on http:\/\/127\.0\.0\.1:\d+: model loaded in [\d.]+ ms, ready in [\d.]+ ms/);
  });

  it('answers health, server and model metadata', async () => {
    expect(await getJson(`${server.url}/v2/health/live`)).toEqual({ status: 200, json: { live: true } });
    expect(await getJson(`${server.url}/v2/health/ready`)).toEqual({ status: 200, json: { ready: true } });
    expect((await getJson(`${server.url}/v2`)).json).toEqual({ name: 'mlops-model-server', version: expect.any(String), extensions: ['binary_tensor_data'] });
    const meta = await getJson(`${server.url}/v2/models/weather`);
    expect(meta).toEqual({
      status: 200,
      json: {
        name: 'weather',
        versions: ['3'],
        platform: 'onnx_onnxv1',
        inputs: FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [-1, 1] })),
        outputs: [
          { name: 'label', datatype: 'BYTES', shape: [-1] },
          { name: 'probabilities', datatype: 'FP32', shape: [-1, 5] },
        ],
      },
    });
    expect((await getJson(`${server.url}/v2/models/weather/versions/3`)).json).toEqual(meta.json);
    expect(await getJson(`${server.url}/v2/models/weather/ready`)).toEqual({ status: 200, json: { name: 'weather', ready: true } });
    expect(await getJson(`${server.url}/v2/models/weather/versions/3/ready`)).toEqual({ status: 200, json: { name: 'weather', ready: true } });
  });

  it('answers 404 for another model or version and for unknown paths, 405 for a wrong method', async () => {
    const other = await getJson(`${server.url}/v2/models/sunshine`);
    expect(other.status).toBe(404);
    expect(other.json.error).toMatch(/model "sunshine" not found; this server serves "weather"/);
    const v = await postJson(`${server.url}/v2/models/weather/versions/9/infer`, { inputs: tensorsFor(ROWS) });
    expect(v.status).toBe(404);
    expect(v.json.error).toMatch(/no version "9"/);
    expect((await getJson(`${server.url}/nothing`)).status).toBe(404);
    const wrongMethod = await getJson(`${server.url}/v2/models/weather/infer`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.json.error).toMatch(/use POST/);
  });

  it('infers from typed tensors, flat or nested, with label = argmax of the probabilities', async () => {
    const flat = await postJson(`${server.url}/v2/models/weather/infer`, { id: 'req-1', inputs: tensorsFor(ROWS) });
    expect(flat.status).toBe(200);
    expect(flat.json).toMatchObject({ model_name: 'weather', model_version: '3', id: 'req-1' });
    const outputs = flat.json.outputs as { name: string; datatype: string; shape: number[]; data: unknown[] }[];
    expect(outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
      ['label', 'BYTES', [5]],
      ['probabilities', 'FP32', [5, 5]],
    ]);
    const proba = outputs[1]!.data as number[];
    for (let r = 0; r < ROWS.length; r++) {
      const row = proba.slice(r * 5, r * 5 + 5);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(outputs[0]!.data[r]).toBe(CLASSES[argmax(row)]);
    }
    expect(outputs[0]!.data).toContain('rain');
    expect(outputs[0]!.data).toContain('sun');

    const nested = await postJson(`${server.url}/v2/models/weather/versions/3/infer`, { inputs: tensorsFor(ROWS, true), outputs: [{ name: 'probabilities' }] });
    expect(nested.status).toBe(200);
    expect(typeof nested.json.id).toBe('string');
    const only = nested.json.outputs as { name: string; data: number[] }[];
    expect(only.map((o) => o.name)).toEqual(['probabilities']);
    expect(only[0]!.data).toEqual(proba);
  });

  it('predicts from JSON rows (rows or instances, /v1 or /predict) like the tensor endpoint', async () => {
    const infer = await postJson(`${server.url}/v2/models/weather/infer`, { inputs: tensorsFor(ROWS) });
    const outputs = infer.json.outputs as { data: unknown[] }[];
    const byRows = await postJson(`${server.url}/v1/models/weather/predict`, { rows: ROWS });
    expect(byRows.status).toBe(200);
    const predictions = byRows.json.predictions as { label: string; probabilities: Record<string, number> }[];
    expect(predictions).toHaveLength(ROWS.length);
    predictions.forEach((p, r) => {
      expect(p.label).toBe(outputs[0]!.data[r]);
      expect(Object.keys(p.probabilities)).toEqual(CLASSES);
      expect(Object.values(p.probabilities)).toEqual((outputs[1]!.data as number[]).slice(r * 5, r * 5 + 5));
    });
    // Column names match case-insensitively, like shared/model/score.ts binds them.
    const upper = ROWS.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k.toUpperCase(), v])));
    const byInstances = await postJson(`${server.url}/predict`, { instances: upper });
    expect(byInstances.json.predictions).toEqual(predictions);
    expect((await postJson(`${server.url}/v1/models/weather:predict`, { rows: ROWS })).json.predictions).toEqual(predictions);
  });

  it.each([
    ['an unknown input name', { inputs: [...tensorsFor(ROWS).slice(1), { ...tensorsFor(ROWS)[0]!, name: 'rainfall' }] }, /unknown input "rainfall"; the model's inputs are precipitation \(FP32 \[-1, 1\]\)/],
    ['a missing input', { inputs: tensorsFor(ROWS).slice(1) }, /missing input precipitation \(FP32 \[-1, 1\]\)/],
    ['a wrong datatype', { inputs: tensorsFor(ROWS).map((t, i) => (i === 2 ? { ...t, datatype: 'FP64' } : t)) }, /input "temp_min": expected datatype FP32, got FP64/],
    ['a wrong shape', { inputs: tensorsFor(ROWS).map((t) => ({ ...t, shape: [1, 5] })) }, /input "precipitation": expected shape \[-1, 1\] \(-1: any size\), got \[1, 5\]/],
    ['a wrong rank', { inputs: tensorsFor(ROWS).map((t) => ({ ...t, shape: [5] })) }, /expected shape \[-1, 1\].*got \[5\]/],
    ['too few elements', { inputs: tensorsFor(ROWS).map((t) => ({ ...t, shape: [6, 1] })) }, /input "precipitation": shape \[6, 1\] holds 6 elements, data has 5/],
    ['ragged nested data', { inputs: tensorsFor(ROWS, true).map((t) => ({ ...t, data: [[1], [2, 3], [4], [5], [6]] })) }, /nested data does not follow shape \[5, 1\]/],
    ['a string where a number belongs', { inputs: tensorsFor(ROWS).map((t, i) => (i === 3 ? { ...t, data: ['a', 1, 2, 3, 4] } : t)) }, /input "wind": element 0 is "a", expected a number/],
    ['no inputs', { inputs: [] }, /invalid inference request: inputs: at least one input is required/],
    ['an unknown output', { inputs: tensorsFor(ROWS), outputs: [{ name: 'logits' }] }, /unknown output "logits"/],
    ['a malformed body', '{"inputs": [', /the body is not valid JSON/],
  ])('answers 400 for %s', async (_what, body, message) => {
    const r = await postJson(`${server.url}/v2/models/weather/infer`, body);
    expect(r.status).toBe(400);
    expect(Object.keys(r.json)).toEqual(['error']);
    expect(r.json.error).toMatch(message);
  });

  it('answers 400 for rows without a feature the model needs', async () => {
    const r = await postJson(`${server.url}/predict`, { rows: [ROWS[0], { precipitation: 1 }] });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/row 1 has no "temp_max"; the model needs precipitation, temp_max, temp_min, wind/);
    expect((await postJson(`${server.url}/predict`, { rows: [] })).json.error).toMatch(/at least one row/);
  });

  it('answers 413 for a body over MAX_BODY_BYTES (default 10 MiB), declared or streamed', async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
    const declared = await rawPost(`${server.url}/v2/models/weather/infer`, big, { 'content-length': String(big.length) });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).error).toMatch(/larger than 10485760 bytes/);

    const small = await serve({ modelPath: nodeModel, maxBodyBytes: 4096 });
    const chunked = await rawPost(`${small.url}/predict`, Buffer.alloc(64 * 1024, 0x20), { 'transfer-encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error).toMatch(/larger than 4096 bytes/);
    // Under the limit still works on that server.
    expect((await postJson(`${small.url}/predict`, { rows: ROWS.slice(0, 1) })).status).toBe(200);
  });

  it('exposes Prometheus metrics: request counters, cumulative histograms, predictions and features', async () => {
    const before = parseMetrics(await (await fetch(`${server.url}/metrics`)).text());
    const count = (s: Sample[], labels: Record<string, string>) => find(s, 'mlops_http_requests_total', labels)[0]?.value ?? 0;
    const inferOk = { endpoint: '/v2/models/{model}/infer', code: '200' };
    await postJson(`${server.url}/v2/models/weather/infer`, { inputs: tensorsFor(ROWS) });
    await postJson(`${server.url}/v2/models/weather/infer`, { inputs: tensorsFor(ROWS) });
    await postJson(`${server.url}/v2/models/weather/infer`, { inputs: [] });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const { samples, types } = parseMetrics(await res.text());

    expect(count(samples, inferOk)).toBe(count(before.samples, inferOk) + 2);
    expect(count(samples, { endpoint: '/v2/models/{model}/infer', code: '400' })).toBeGreaterThanOrEqual(count(before.samples, { endpoint: '/v2/models/{model}/infer', code: '400' }) + 1);
    for (const s of samples) expect(s.labels).toMatchObject({ model_name: 'weather', model_version: '3' });

    expect(types.get('mlops_http_requests_total')).toBe('counter');
    expect(types.get('mlops_http_request_duration_seconds')).toBe('histogram');
    const buckets = find(samples, 'mlops_http_request_duration_seconds_bucket', { endpoint: '/v2/models/{model}/infer' });
    expect(buckets.map((b) => b.labels.le)).toEqual(['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf']);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(buckets.at(-1)!.value).toBe(find(samples, 'mlops_http_request_duration_seconds_count', { endpoint: '/v2/models/{model}/infer' })[0]!.value);

    const predicted = find(samples, 'mlops_predictions_total');
    expect(predicted.length).toBeGreaterThan(0);
    for (const p of predicted) expect(CLASSES).toContain(p.labels.class);
    const rowsPredicted = find(samples, 'mlops_inference_rows_total')[0]!.value;
    expect(predicted.reduce((a, p) => a + p.value, 0)).toBe(rowsPredicted);
    expect(find(samples, 'mlops_inference_batch_size_count')[0]!.value).toBeGreaterThan(0);

    const wind = { feature: 'wind' };
    expect(types.get('mlops_input_feature')).toBe('summary');
    expect(find(samples, 'mlops_input_feature_count', wind)[0]!.value).toBeGreaterThanOrEqual(10);
    expect(find(samples, 'mlops_input_feature_min', wind)[0]!.value).toBeCloseTo(2.1, 5);
    expect(find(samples, 'mlops_input_feature_max', { feature: 'temp_max' })[0]!.value).toBeCloseTo(30.6, 5);
    expect(find(samples, 'mlops_model_load_seconds')[0]!.value).toBeGreaterThan(0);
    expect(find(samples, 'mlops_model_ready')[0]!.value).toBe(1);
    expect(find(samples, 'mlops_process_resident_memory_bytes')[0]!.value).toBeGreaterThan(1e6);
    expect(find(samples, 'mlops_process_uptime_seconds')[0]!.value).toBeGreaterThan(0);
  });

  it('writes one JSON line per predicted row to the prediction log', async () => {
    await postJson(`${server.url}/v2/models/weather/infer`, { id: 'logged', inputs: tensorsFor(ROWS) });
    const deadline = Date.now() + 5000;
    let records: Record<string, unknown>[] = [];
    while (records.length < ROWS.length && Date.now() < deadline) {
      records = (await linesOf(logFile, 1)).map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.id === 'logged');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(records).toHaveLength(ROWS.length);
    records.forEach((rec, r) => {
      expect(Object.keys(rec)).toEqual(['time', 'model', 'version', 'id', 'row', 'inputs', 'outputs']);
      expect(new Date(rec.time as string).toISOString()).toBe(rec.time);
      expect(rec).toMatchObject({ model: 'weather', version: '3', id: 'logged', row: r });
      const inputs = rec.inputs as Record<string, number>;
      expect(Object.keys(inputs)).toEqual([...FEATURES]);
      for (const f of FEATURES) expect(inputs[f]).toBeCloseTo(ROWS[r]![f], 4);
      const outputs = rec.outputs as { label: string; probabilities: Record<string, number> };
      expect(CLASSES).toContain(outputs.label);
      expect(Object.keys(outputs.probabilities)).toEqual(CLASSES);
    });
  });
});

describe('model server, skl2onnx random forest with ZipMap', () => {
  let server: ModelServer;

  beforeAll(async () => {
    server = await serve({ modelPath: zipmapModel });
  });

  it('serves the ZipMap output as its probability tensor, named after the model file', async () => {
    const meta = await getJson(`${server.url}/v2/models/model`);
    expect(meta.json).toMatchObject({
      name: 'model',
      versions: ['1'],
      platform: 'onnx_onnxv1',
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 5] },
      ],
    });
    expect(meta.json.inputs).toEqual(FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [-1, 1] })));
  });

  it('returns probabilities as a tensor and label = argmax, for tensors and rows', async () => {
    const r = await postJson(`${server.url}/v2/models/model/infer`, { inputs: tensorsFor(ROWS, true) });
    expect(r.status).toBe(200);
    const [label, proba] = r.json.outputs as { name: string; shape: number[]; data: unknown[] }[];
    expect(proba).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [5, 5] });
    for (let i = 0; i < ROWS.length; i++) {
      const row = (proba!.data as number[]).slice(i * 5, i * 5 + 5);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(label!.data[i]).toBe(CLASSES[argmax(row)]);
    }
    const rows = await postJson(`${server.url}/predict`, { rows: ROWS });
    expect((rows.json.predictions as { label: string }[]).map((p) => p.label)).toEqual(label!.data);
  });

  it('does not fetch the text label the argmax replaces from ONNX Runtime (a string tensor copied per element)', async () => {
    const ort = await import('onnxruntime-node');
    // The class behind InferenceSession.create (its type is the factory interface).
    const run = vi.spyOn((ort.InferenceSession as unknown as { prototype: { run: (feeds: unknown, fetches: string[]) => Promise<unknown> } }).prototype, 'run');
    try {
      const r = await postJson(`${server.url}/v2/models/model/infer`, { inputs: tensorsFor(ROWS.slice(0, 1), true) });
      expect(r.status).toBe(200);
      expect((r.json.outputs as { name: string; shape: number[] }[]).map((o) => [o.name, o.shape])).toEqual([['label', [1]], ['probabilities', [1, 5]]]);
      expect(run).toHaveBeenCalledTimes(1);
      expect(run.mock.calls[0]![1]).toHaveLength(1);
      expect(run.mock.calls[0]![1]).not.toContain('label');
    } finally {
      run.mockRestore();
    }
  });
});

describe('model server, regression with one [N, k] input (skl2onnx LinearRegression)', () => {
  let server: ModelServer;
  let expected: number[];
  let logFile: string;
  const REG_FEATURES = ['precipitation', 'temp_min', 'wind'];

  beforeAll(async () => {
    const dir = tempDir('serving-regression-');
    const script = [
      'import json, sys',
      'import numpy as np, pandas as pd',
      'from sklearn.linear_model import LinearRegression',
      'from skl2onnx import convert_sklearn',
      'from skl2onnx.common.data_types import FloatTensorType',
      'features = ["precipitation", "temp_min", "wind"]',
      'df = pd.read_csv(sys.argv[1])',
      'X = df[features].astype(np.float32)',
      'm = LinearRegression().fit(X, df["temp_max"])',
      'onx = convert_sklearn(m, initial_types=[("X", FloatTensorType([None, 3]))], target_opset={"": 17, "ai.onnx.ml": 3})',
      'for k, v in [("features", json.dumps(features)), ("target_min", "-10"), ("target_max", "40")]: onx.metadata_props.add(key=k, value=v)',
      'open(sys.argv[2], "wb").write(onx.SerializeToString())',
      'print(json.dumps(m.predict(X.iloc[:5]).tolist()))',
    ].join('\n');
    const out = execFileSync(path.join(REPO_ROOT, '.tools/venv/bin/python'), ['-c', script, path.join(WEATHER, 'data/seattle-weather.csv'), path.join(dir, 'temp.onnx')]);
    expected = JSON.parse(out.toString()) as number[];
    logFile = path.join(dir, 'predictions.jsonl');
    server = await serve({ modelPath: path.join(dir, 'temp.onnx'), predictionLog: logFile });
  });

  it('describes the [N, 3] input and answers rows with {value}', async () => {
    const meta = await getJson(`${server.url}/v2/models/temp`);
    expect(meta.json.inputs).toEqual([{ name: 'X', datatype: 'FP32', shape: [-1, 3] }]);
    const csv = fs.readFileSync(path.join(WEATHER, 'data/seattle-weather.csv'), 'utf8').trim().split('\n');
    const header = csv[0]!.split(',');
    const rows = csv.slice(1, 6).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, Number(v)]).filter(([k]) => REG_FEATURES.includes(k as string))));
    const byName = await postJson(`${server.url}/predict`, { rows });
    expect(byName.status).toBe(200);
    const values = (byName.json.predictions as { value: number }[]).map((p) => p.value);
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 3));
    // Positional rows fill the single [N, k] input in its feature order.
    const positional = await postJson(`${server.url}/predict`, { instances: rows.map((r) => REG_FEATURES.map((f) => r[f])) });
    expect(positional.json.predictions).toEqual(byName.json.predictions);
    const tensor = await postJson(`${server.url}/v2/models/temp/infer`, { inputs: [{ name: 'X', datatype: 'FP32', shape: [5, 3], data: rows.map((r) => REG_FEATURES.map((f) => r[f])) }] });
    expect((tensor.json.outputs as { data: number[] }[])[0]!.data).toEqual(values);
  });

  it('records values in a histogram over the range the model names, and features by name', async () => {
    const { samples, types } = parseMetrics(await (await fetch(`${server.url}/metrics`)).text());
    expect(types.get('mlops_prediction_value')).toBe('histogram');
    const buckets = find(samples, 'mlops_prediction_value_bucket');
    expect(buckets.map((b) => b.labels.le)).toEqual(['-10', '-5', '0', '5', '10', '15', '20', '25', '30', '35', '40', '+Inf']);
    expect(buckets.at(-1)!.value).toBe(15);
    expect(find(samples, 'mlops_predictions_total')).toEqual([]);
    expect(find(samples, 'mlops_input_feature_count', { feature: 'wind' })[0]!.value).toBe(15);
    const first = JSON.parse((await linesOf(logFile, 1))[0]!) as { inputs: Record<string, number>; outputs: { value: number } };
    expect(Object.keys(first.inputs)).toEqual(REG_FEATURES);
    expect(first.outputs.value).toBeCloseTo(expected[0]!, 3);
  });
});

describe('dynamic batching', () => {
  it('merges concurrent requests along dimension 0 and gives each its own rows back', async () => {
    const plain = await serve({ modelPath: nodeModel });
    const batched = await serve({ modelPath: nodeModel, maxBatchSize: 64, batchTimeoutMs: 40 });
    // 12 requests of 1 to 3 rows each, different rows per request.
    const requests = Array.from({ length: 12 }, (_, i) => {
      const rows = Array.from({ length: 1 + (i % 3) }, (_, j) => ({ precipitation: (i * 3 + j) % 25, temp_max: 5 + i + j, temp_min: i - j, wind: 1 + ((i + j) % 6) }));
      return { id: `r${i}`, inputs: tensorsFor(rows as typeof ROWS) };
    });
    const expected = await Promise.all(requests.map((b) => postJson(`${plain.url}/v2/models/model/infer`, b)));
    const got = await Promise.all(requests.map((b) => postJson(`${batched.url}/v2/models/model/infer`, b)));
    got.forEach((g, i) => {
      expect(g.status).toBe(200);
      expect(g.json.id).toBe(`r${i}`);
      expect(g.json.outputs).toEqual(expected[i]!.json.outputs);
    });
    const { samples } = parseMetrics(await (await fetch(`${batched.url}/metrics`)).text());
    const count = find(samples, 'mlops_inference_batch_size_count')[0]!.value;
    const sum = find(samples, 'mlops_inference_batch_size_sum')[0]!.value;
    const ones = find(samples, 'mlops_inference_batch_size_bucket', { le: '1' })[0]!.value;
    // 24 rows in fewer runs than requests (the warm-up run at start is not counted).
    expect(sum).toBe(24);
    expect(count).toBeLessThan(12);
    expect(find(samples, 'mlops_inference_batch_size_bucket', { le: '+Inf' })[0]!.value).toBeGreaterThan(ones);
    // Rows requests are batched too.
    const rowsReplies = await Promise.all(ROWS.map((row) => postJson(`${batched.url}/predict`, { rows: [row] })));
    const together = await postJson(`${plain.url}/predict`, { rows: ROWS });
    expect(rowsReplies.map((r) => (r.json.predictions as unknown[])[0])).toEqual(together.json.predictions);
  });
});

describe('graceful shutdown', () => {
  it('turns not ready, lets the request in flight finish, then stops listening', async () => {
    const s = await startModelServer({ modelPath: nodeModel, port: 0, host: '127.0.0.1', log: quietLogger(), maxBatchSize: 64, batchTimeoutMs: 500, shutdownDelayMs: 150 });
    const started = Date.now();
    // Waits up to 500 ms in the batcher: in flight when the shutdown starts.
    const inFlight = postJson(`${s.url}/v2/models/model/infer`, { inputs: tensorsFor(ROWS) });
    await new Promise((r) => setTimeout(r, 50));
    const closing = s.close();
    expect(await getJson(`${s.url}/v2/health/ready`)).toEqual({ status: 503, json: { ready: false } });
    expect((await getJson(`${s.url}/v2/models/model/ready`)).status).toBe(503);
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect((reply.json.outputs as unknown[]).length).toBe(2);
    await closing;
    expect(Date.now() - started).toBeLessThan(5000);
    await expect(fetch(`${s.url}/v2/health/live`)).rejects.toThrow();
  });

  it('cuts requests off at the hard deadline', async () => {
    const s = await startModelServer({ modelPath: nodeModel, port: 0, host: '127.0.0.1', log: quietLogger(), shutdownTimeoutMs: 200 });
    // A request whose body never ends stays in flight.
    const req = http.request(`${s.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
    req.on('error', () => {});
    req.write('{"rows": [');
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    expect(await s.shutdown()).toEqual({ forced: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    req.destroy();
  });
});

describe('prediction log sampling', () => {
  it('keeps about the given fraction of rows, and none at 0', async () => {
    const dir = tempDir('serving-sample-');
    const sampled = await serve({ modelPath: nodeModel, predictionLog: path.join(dir, 'quarter.jsonl'), predictionLogSample: 0.25 });
    const none = await serve({ modelPath: nodeModel, predictionLog: path.join(dir, 'none.jsonl'), predictionLogSample: 0 });
    const rows = Array.from({ length: 800 }, (_, i) => ({ precipitation: i % 30, temp_max: 10 + (i % 20), temp_min: i % 10, wind: 1 + (i % 7) }));
    for (const s of [sampled, none]) expect((await postJson(`${s.url}/predict`, { rows })).status).toBe(200);
    await sampled.close();
    await none.close();
    const lines = fs.readFileSync(path.join(dir, 'quarter.jsonl'), 'utf8').split('\n').filter(Boolean);
    // Binomial(800, 0.25): mean 200, sd 12.2.
    expect(lines.length).toBeGreaterThan(140);
    expect(lines.length).toBeLessThan(260);
    const seen = new Set(lines.map((l) => (JSON.parse(l) as { row: number }).row));
    expect(seen.size).toBe(lines.length);
    expect(fs.existsSync(path.join(dir, 'none.jsonl')) ? fs.readFileSync(path.join(dir, 'none.jsonl'), 'utf8') : '').toBe('');
  });
});

/** POST raw bytes with chosen headers (fetch would set Content-Length itself). */
function rawPost(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
