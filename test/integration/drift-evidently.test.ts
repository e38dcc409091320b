/**
 * Our drift statistics against the real `evidently` package (PyPI, pinned in
 * test/evidently/requirements.txt, installed by scripts/install-evidently.sh) on the same raw
 * data: real public data (vega_datasets' cars and seattle-weather) and synthetic shifts. Every
 * test's value and the automatic choice must agree to 1e-6.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { columnKind } from '../../shared/stats/drift/choose.js';
import { columnDrift } from '../../shared/stats/drift/column.js';
import { rawEvidence, type RawValue } from '../../shared/stats/drift/raw.js';
import { binnedEvidence, sketchBins } from '../../shared/stats/drift/binned.js';
import { minMax } from '../../shared/stats/drift/histogram.js';
import { populationStd } from '../../shared/stats/drift/raw.js';
import { STAT_TESTS, type ColumnKind, type StatTestName } from '../../shared/stats/drift/tests.js';
import { add, emptySketch } from '../../shared/stats/sketch.js';
import { VENV_PYTHON } from '../harness/sklearn.js';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../evidently/evidently_drift.py');

interface EvidentlyCase {
  dataset: string;
  column: string;
  kind: ColumnKind;
  type: 'float' | 'integer' | 'text' | 'boolean';
  referenceDistinct: number;
  reference: (number | string | null)[];
  current: (number | string | null)[];
  auto: { test: StatTestName; value: number | null };
  values: Partial<Record<StatTestName, number | null>>;
}

const value = (v: number | string | null): RawValue => (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v);

/** 1e-6, relative above 1 (PSI and KL reach 17 on disjoint data). */
let largest = { diff: 0, label: '' };

function expectSame(ours: number | null, theirs: number | null, label: string): void {
  expect(theirs, `${label}: Evidently gave NaN`).not.toBeNull();
  expect(ours, label).not.toBeNull();
  const diff = Math.abs(ours! - theirs!) / Math.max(1, Math.abs(theirs!));
  if (diff > largest.diff) largest = { diff, label };
  expect(Math.abs(ours! - theirs!), `${label}: ours ${ours} vs Evidently ${theirs}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(theirs!)));
}

describe('drift statistics equal Evidently 0.7.23 on the same raw data', () => {
  let cases: EvidentlyCase[] = [];
  beforeAll(() => {
    if (!fs.existsSync(VENV_PYTHON)) throw new Error(`no Python venv at ${VENV_PYTHON}: run scripts/install-evidently.sh`);
    const out = execFileSync(VENV_PYTHON, [SCRIPT], { maxBuffer: 512 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONWARNINGS: 'ignore' } });
    cases = JSON.parse(out.toString()) as EvidentlyCase[];
  }, 600_000);

  it('covers real and synthetic data, both sizes, every test', () => {
    expect(new Set(cases.map((c) => c.dataset)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(cases.map((c) => c.auto.test))).toEqual(new Set(['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon']));
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it('every column, every test, and the automatic choice', () => {
    let compared = 0;
    for (const c of cases) {
      const evidence = rawEvidence(c.column, c.kind, c.reference.map(value), c.current.map(value));
      const label = `${c.dataset}/${c.column}`;
      expect(columnKind(c.type, c.referenceDistinct), `${label}: column kind`).toBe(c.kind);
      const auto = columnDrift(c.column, evidence);
      expect(auto.test, `${label}: automatic test`).toBe(c.auto.test);
      expectSame(auto.value, c.auto.value, `${label} auto ${c.auto.test}`);
      for (const [test, theirs] of Object.entries(c.values) as [StatTestName, number | null][]) {
        // Evidently's chi-square on a single category is NaN; ours is p = 1 with a note (see docs/drift.md).
        if (theirs === null) continue;
        expectSame(columnDrift(c.column, evidence, { test }).value, theirs, `${label} ${test}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(180);
    console.log(`compared ${compared} statistics with Evidently; largest difference ${largest.diff.toExponential(2)} (${largest.label})`);
  });

  it('on fixed bins (the profile sketch buckets) the numeric statistics stay within the bounds docs/drift.md gives', () => {
    const worst: Partial<Record<StatTestName, { diff: number; label: string }>> = {};
    let verdicts = 0;
    let agree = 0;
    for (const c of cases.filter((x) => x.kind === 'numeric')) {
      const finite = (xs: EvidentlyCase['reference']) => xs.map(value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      const ref = finite(c.reference);
      const cur = finite(c.current);
      const [rs, cs] = [emptySketch(), emptySketch()];
      ref.forEach((x) => add(rs, x));
      cur.forEach((x) => add(cs, x));
      const [min, max] = minMax([...minMax(ref), ...minMax(cur)]);
      const evidence = binnedEvidence(c.column, {
        kind: 'numeric', ...sketchBins(rs, cs), referenceStd: populationStd(ref), range: { min, max },
        distinct: new Set([...ref, ...cur]).size, referenceDistinct: new Set(ref).size,
      });
      for (const [test, theirs] of Object.entries(c.values) as [StatTestName, number][]) {
        const ours = columnDrift(c.column, evidence, { test });
        const diff = Math.abs(ours.value! - theirs);
        if (diff > (worst[test]?.diff ?? -1)) worst[test] = { diff, label: `${c.dataset}/${c.column}` };
        verdicts++;
        if (ours.drifted === STAT_TESTS[test].drifted(theirs, STAT_TESTS[test].defaultThreshold)) agree++;
      }
    }
    console.log(`fixed bins vs raw values (Evidently): largest differences ${JSON.stringify(worst)}; same verdict in ${agree} of ${verdicts}`);
    expect(agree / verdicts).toBeGreaterThanOrEqual(0.95);
    expect(worst.wasserstein!.diff).toBeLessThanOrEqual(0.02);
    expect(worst.hellinger!.diff).toBeLessThanOrEqual(0.02);
    expect(worst.jensenshannon!.diff).toBeLessThanOrEqual(0.05);
    expect(worst.ks!.diff).toBeLessThanOrEqual(0.05);
  });
});
