import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE24, REPO_ROOT, runAction, TOOL_CACHE } from '../harness/runner.js';
import { VENV_PYTHON } from '../harness/sklearn.js';
import { tempDir } from '../harness/temp.js';
import { documentedSteps, runSteps } from '../harness/doc-workflow.js';
import { examples } from '../../cli/examples.js';

/** Every input as the runner sets it (action.yml defaults), overridden per test. */
const defaults = {
  format: 'auto',
  'key-columns': '',
  features: '',
  probabilities: 'false',
  'batch-size': '4096',
  'github-token': '',
};

interface Expected {
  classes: string[];
  predict: string[];
  predict_proba: number[][];
  regression: number[];
}

/** Rows of a Parquet or CSV file, read by DuckDB (the test's own instance, not the action's). */
async function duckdbRows(file: string): Promise<{ names: string[]; types: string[]; rows: Record<string, unknown>[] }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const reader = await conn.runAndReadAll(`SELECT * FROM '${file.replace(/'/g, "''")}'`);
    return { names: reader.columnNames(), types: reader.columnTypes().map(String), rows: reader.getRowObjects().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v !== null && typeof v === 'object' ? String(v) : v]))) };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** The file read by pandas (pyarrow for Parquet): column names, dtypes and rows as JSON. */
function pandasRead(file: string): { columns: string[]; dtypes: string[]; rows: Record<string, unknown>[] } {
  const script = [
    'import json, sys, pandas as pd',
    'f = sys.argv[1]',
    'df = pd.read_parquet(f, engine="pyarrow") if f.endswith(".parquet") else pd.read_csv(f, dtype={"date": str})',
    'print(json.dumps({"columns": list(df.columns), "dtypes": [str(t) for t in df.dtypes], "rows": df.to_dict(orient="records")}, default=str))',
  ].join('\n');
  return JSON.parse(execFileSync(VENV_PYTHON, ['-c', script, file], { maxBuffer: 256 << 20 }).toString());
}

function mlops(cwd: string, ...args: string[]) {
  const env = { ...process.env, RUNNER_TOOL_CACHE: TOOL_CACHE, MLOPS_CACHE_DIR: path.join(cwd, '.cache'), GITHUB_ACTIONS: '', GITHUB_TOKEN: '' };
  return promisify(execFile)(NODE24, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), ...args], { cwd, env, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('predict through the runner protocol and the CLI', () => {
  let ws: string;
  let expected: Expected;

  beforeAll(() => {
    ws = tempDir('mlops-predict-');
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(ws, 'weather'), { recursive: true, filter: (src) => !/(__pycache__|\.venv)/.test(src) });
    fs.mkdirSync(path.join(ws, 'models'));
    // scikit-learn trains and converts the models, and predicts the 2015 rows itself.
    execFileSync(VENV_PYTHON, [path.join(REPO_ROOT, 'test/harness/python/sklearn_predictions.py'), 'weather/data/seattle-weather.csv', 'weather/data/eval-2015.csv', 'models'], { cwd: ws });
    expected = JSON.parse(fs.readFileSync(path.join(ws, 'models/expected.json'), 'utf8'));
  }, 300_000);
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('a skl2onnx forest (ZipMap): Parquet with the key column, prediction and probabilities equal to scikit-learn, read back by DuckDB and pandas', async () => {
    const inputs = { ...defaults, model: 'models/classifier.onnx', data: 'weather/data/eval-2015.csv', output: 'out/preds.parquet', 'key-columns': 'date', probabilities: 'true', 'batch-size': '100' };
    const r = await runAction('predict', inputs, { workspace: ws });
    expect(r.stderr).toBe('');
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ output: 'out/preds.parquet', rows: '365' });
    expect(fs.readdirSync(path.join(ws, 'out'))).toEqual(['preds.parquet']); // no temp file left

    const probaColumns = expected.classes.map((c) => `probability_${c}`);
    const db = await duckdbRows(path.join(ws, 'out/preds.parquet'));
    expect(db.names).toEqual(['date', 'prediction', ...probaColumns]);
    expect(db.types).toEqual(['DATE', 'VARCHAR', ...probaColumns.map(() => 'DOUBLE')]);
    const dates = fs.readFileSync(path.join(ws, 'weather/data/eval-2015.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
    expect(db.rows.map((row) => row.date)).toEqual(dates);
    expect(db.rows.map((row) => row.prediction)).toEqual(expected.predict);
    db.rows.forEach((row, i) => probaColumns.forEach((c, j) => expect(Math.abs(Number(row[c]) - expected.predict_proba[i]![j]!), `row ${i} ${c}`).toBeLessThan(1e-6)));

    const pd = pandasRead(path.join(ws, 'out/preds.parquet'));
    expect(pd.columns).toEqual(db.names);
    expect(pd.rows.map((row) => row.prediction)).toEqual(expected.predict);
    pd.rows.forEach((row, i) => expect(Number(row.probability_rain)).toBe(Number(db.rows[i]!.probability_rain)));

    // The distribution: scikit-learn's class counts, in the output and the summary.
    const counts = new Map<string, number>();
    for (const p of expected.predict) counts.set(p, (counts.get(p) ?? 0) + 1);
    const distribution = JSON.parse(r.outputs.distribution!);
    expect(distribution.kind).toBe('classes');
    expect(Object.fromEntries(distribution.classes.map((c: { label: string; count: number }) => [c.label, c.count]))).toEqual(Object.fromEntries(counts));
    expect(r.summary).toContain('### 🔮 predict: 365 rows scored');
    expect(r.summary).toMatch(/\| sun \| \d+ \| \d+\.\d% \|/);
  });

  it('a regressor with one [N, 3] input bound by `features`: CSV values equal to scikit-learn, read back by DuckDB and pandas; quantiles in the summary', async () => {
    const inputs = { ...defaults, model: 'models/regressor.onnx', data: 'weather/data/eval-2015.csv', output: 'out/temp.csv', 'key-columns': 'date, weather', features: 'precipitation, temp_min, wind' };
    const r = await runAction('predict', inputs, { workspace: ws });
    expect(r.stderr).toBe('');
    expect(r.exitCode, r.stdout).toBe(0);
    const db = await duckdbRows(path.join(ws, 'out/temp.csv'));
    expect(db.names).toEqual(['date', 'weather', 'prediction']);
    expect(db.types).toEqual(['DATE', 'VARCHAR', 'DOUBLE']);
    const pd = pandasRead(path.join(ws, 'out/temp.csv'));
    expect(pd.dtypes).toEqual(['str', 'str', 'float64']);
    // ONNX Runtime sums the trees in float32: equal to scikit-learn's float64 within float32 precision.
    expected.regression.forEach((v, i) => {
      expect(Math.abs(Number(db.rows[i]!.prediction) - v), `row ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(v)));
      expect(Number(pd.rows[i]!.prediction)).toBe(Number(db.rows[i]!.prediction));
    });
    const distribution = JSON.parse(r.outputs.distribution!);
    expect(distribution).toMatchObject({ kind: 'values', count: 365 });
    const sorted = [...expected.regression].sort((a, b) => a - b);
    expect(Math.abs(distribution.min - sorted[0]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(sorted[0]!)));
    expect(r.summary).toContain('#### Predicted values');
    expect(r.summary).toContain('| p50 |');
  });

  it('batches that cut across DuckDB chunks keep every key beside its own prediction', async () => {
    // 5,475 rows (15 copies of 2015 with an id): batches of 7 and of 3000 straddle the 2048-row chunks.
    const lines = fs.readFileSync(path.join(ws, 'weather/data/eval-2015.csv'), 'utf8').trim().split('\n');
    const body = Array.from({ length: 15 }, () => lines.slice(1)).flat();
    fs.writeFileSync(path.join(ws, 'many.csv'), [`id,${lines[0]}`, ...body.map((l, i) => `${i},${l}`)].join('\n') + '\n');
    const run = (batch: string, output: string) => runAction('predict', { ...defaults, model: 'models/classifier.onnx', data: 'many.csv', output, 'key-columns': 'id', 'batch-size': batch }, { workspace: ws });
    const [a, b] = [await run('7', 'out/b7.csv'), await run('3000', 'out/b3000.csv')];
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const text = fs.readFileSync(path.join(ws, 'out/b7.csv'), 'utf8');
    expect(text).toBe(fs.readFileSync(path.join(ws, 'out/b3000.csv'), 'utf8'));
    const rows = text.trim().split('\n').slice(1);
    expect(rows.length).toBe(5475);
    rows.forEach((row, i) => expect(row).toBe(`${i},${expected.predict[i % 365]}`));
  });

  it('mistakes are named: a missing input column, a text column for a float input, no rows, an unknown output type, a missing key column', async () => {
    const csv = fs.readFileSync(path.join(ws, 'weather/data/eval-2015.csv'), 'utf8').trim().split('\n');
    const dropWind = csv.map((l) => l.split(',').filter((_, i) => i !== 4).join(','));
    fs.writeFileSync(path.join(ws, 'no-wind.csv'), dropWind.join('\n') + '\n');
    fs.writeFileSync(path.join(ws, 'text-wind.csv'), [csv[0], ...csv.slice(1).map((l, i) => (i === 3 ? l.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/, '$1calm') : l))].join('\n') + '\n');
    fs.writeFileSync(path.join(ws, 'empty.csv'), `${csv[0]}\n`);
    const cases: [Record<string, string>, RegExp][] = [
      [{ data: 'no-wind.csv' }, /the data has no column for the model's input "wind" \(float32 \[N, 1\]\).*name the data columns after the model's inputs \(precipitation, temp_max, temp_min, wind\)/s],
      [{ data: 'text-wind.csv' }, /column "wind" is VARCHAR but the model's input "wind" takes float32/],
      [{ data: 'empty.csv' }, /the data has no rows: nothing to predict/],
      [{ output: 'out/preds.txt' }, /cannot tell the output format from the name out\/preds\.txt/],
      [{ 'key-columns': 'station' }, /the data has no key column "station"/],
      [{ model: 'models/regressor.onnx', features: 'precipitation, temp_min, wind', probabilities: 'true' }, /the model is a regressor: it gives no class probabilities/],
    ];
    for (const [over, message] of cases) {
      const out = over.output ?? 'out/bad.parquet';
      const r = await runAction('predict', { ...defaults, model: 'models/classifier.onnx', data: 'weather/data/eval-2015.csv', output: out, ...over }, { workspace: ws });
      expect(r.exitCode, JSON.stringify(over)).toBe(1);
      expect(r.stdout).not.toContain('Internal error');
      expect(r.annotations[0]?.message, r.stdout).toMatch(message);
      expect(fs.existsSync(path.join(ws, out)), out).toBe(false);
    }
  });

  it('1M rows come out whole and in order; kill -9 while the output is being written leaves no output file', async () => {
    // 1M rows, so the write lasts long enough to be caught in it; the process is frozen (SIGSTOP)
    // the moment the temp file appears, checked to be mid-write, then killed.
    const big = path.join(ws, 'big.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (SELECT i AS id, (i % 50) / 10.0 AS precipitation, 5 + (i % 300) / 10.0 AS temp_max, (i % 200) / 10.0 AS temp_min, (i % 70) / 10.0 AS wind FROM range(1000000) t(i)) TO '${big}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    // A whole run first: 1M rows go through 8 staged parts and come out in order, ids intact.
    const whole = await runAction('predict', { ...defaults, model: 'models/classifier.onnx', data: 'big.parquet', output: 'out/big.parquet', 'key-columns': 'id' }, { workspace: ws });
    expect(whole.exitCode, whole.stdout).toBe(0);
    const check = await DuckDBInstance.create(':memory:');
    const cc = await check.connect();
    const [n, ordered] = (await cc.runAndReadAll(`SELECT count(*), bool_and(id = rn) FROM (SELECT id, row_number() OVER () - 1 AS rn FROM '${path.join(ws, 'out/big.parquet')}')`)).getRows()[0]!;
    cc.closeSync();
    check.closeSync();
    expect([Number(n), ordered]).toEqual([1_000_000, true]);

    const outDir = path.join(ws, 'killed');
    fs.mkdirSync(outDir);
    const output = path.join(outDir, 'preds.parquet');
    // Its scratch files (DuckDB's) under the workspace: a killed process removes nothing.
    const tmp = path.join(ws, 'killed-tmp');
    fs.mkdirSync(tmp);
    const env = { ...process.env, TMPDIR: tmp, RUNNER_TOOL_CACHE: TOOL_CACHE, MLOPS_CACHE_DIR: path.join(ws, '.cache'), GITHUB_ACTIONS: '' };
    const child = spawn(NODE24, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), 'predict', '--model', 'models/classifier.onnx', '--data', big, '--output', output, '--key-columns', 'id', '--probabilities', 'true'], { cwd: ws, env, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const caught = await new Promise<boolean>((resolve) => {
      const watcher = fs.watch(outDir, () => {
        if (!fs.readdirSync(outDir).some((f) => f.endsWith('.tmp'))) return;
        child.kill('SIGSTOP');
        watcher.close();
        resolve(fs.readdirSync(outDir).some((f) => f.endsWith('.tmp')) && !fs.existsSync(output));
      });
      void exited.then(() => {
        watcher.close();
        resolve(false);
      });
    });
    child.kill('SIGKILL');
    await exited;
    expect(caught, 'the process was frozen while writing').toBe(true);
    expect(fs.existsSync(output)).toBe(false);
    // What is left is the temp file, named as one (docs/predict.md).
    expect(fs.readdirSync(outDir).every((f) => /^\.preds\.parquet\.\d+\.tmp$/.test(f))).toBe(true);
  }, 300_000);

  it('the CLI scores the published example model; its output profiled by validate-data is a reference drift-check compares the next predictions with', async () => {
    const train = await mlops(ws, 'train', '--working-directory', 'weather', '--command', 'node train.mjs', '--params', 'params.json', '--data', 'data/seattle-weather.csv', '--publish', 'local:weather');
    expect(train.code, train.stderr).toBe(0);
    const ref = await mlops(ws, 'predict', '--model', 'local:weather@latest', '--data', 'weather/data/seattle-weather.csv', '--output', 'monitor/reference.parquet', '--key-columns', 'date');
    expect(ref.code, ref.stderr).toBe(0);
    expect(JSON.parse(ref.stdout)).toMatchObject({ output: 'monitor/reference.parquet', rows: '1461' });
    expect(ref.stderr).toContain('predict: 1,461 rows scored');
    const cur = await mlops(ws, 'predict', '--model', 'local:weather@latest', '--data', 'weather/data/eval-2015.csv', '--output', 'monitor/current.parquet', '--key-columns', 'date');
    expect(cur.code, cur.stderr).toBe(0);
    const profile = await mlops(ws, 'validate-data', '--data', 'monitor/reference.parquet', '--profile', 'monitor/profile.json');
    expect(profile.code, profile.stderr).toBe(0);
    const columns = JSON.parse(fs.readFileSync(path.join(ws, 'monitor/profile.json'), 'utf8')).columns;
    expect(columns.map((c: { name: string }) => c.name)).toEqual(['date', 'prediction']);
    // The predictions are compared under prediction drift (the key column `date` is the data's clock).
    const drift = await mlops(ws, 'drift-check', '--reference', 'monitor/profile.json', '--current', 'monitor/current.parquet', '--time-column', 'date', '--fail-on', 'never', '--report', 'monitor/drift.json');
    expect(drift.code, drift.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(ws, 'monitor/drift.json'), 'utf8'));
    expect(report.predictions).toMatchObject({ column: 'prediction', result: { status: 'tested' } });
  }, 600_000);

  it('the workflow in docs/predict.md runs as written', async () => {
    const doc = tempDir('mlops-predict-doc-');
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather'), path.join(doc, 'examples/weather'), { recursive: true, filter: (src) => !/(__pycache__|\.venv)/.test(src) });
    const runs = await runSteps(documentedSteps('predict.md', '## In a workflow'), doc);
    const last = runs.at(-1)!;
    expect(last.shell?.status, JSON.stringify(runs.map((r) => r.action?.stdout ?? r.shell?.stderr))).toBe(0);
    expect(runs.map((r) => r.action?.exitCode ?? r.shell?.status)).toEqual([0, 0, 0]);
    expect(last.shell!.stdout).toMatch(/^rows=365\ndistribution=\{"kind":"classes","classes":\[\{"label":"sun"/);
    const db = await duckdbRows(path.join(doc, 'predictions/2015.parquet'));
    expect(db.names.slice(0, 3)).toEqual(['date', 'prediction', 'probability_drizzle']);
  }, 300_000);

  it("the doc's command line is one of the `mlops predict --help` examples (test/e2e/cli-examples.test.ts runs them)", () => {
    const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs/predict.md'), 'utf8');
    const lines = [...doc.matchAll(/^npx mlops (.*)$/gm)].map((m) => m[1]!.split(' '));
    expect(lines.length).toBeGreaterThan(0);
    for (const argv of lines) expect(examples.predict).toContainEqual(argv);
  });
});
