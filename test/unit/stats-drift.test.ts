import { describe, expect, it } from 'vitest';
import { add, emptySketch } from '../../shared/stats/sketch.js';
import { binnedEvidence, sketchBins } from '../../shared/stats/drift/binned.js';
import { chooseTest, columnKind } from '../../shared/stats/drift/choose.js';
import { columnDrift } from '../../shared/stats/drift/column.js';
import { datasetDrift } from '../../shared/stats/drift/dataset.js';
import { histogram, sturgesEdges } from '../../shared/stats/drift/histogram.js';
import { ks2samp } from '../../shared/stats/drift/ks.js';
import { rawEvidence, type RawValue } from '../../shared/stats/drift/raw.js';
import { STAT_TESTS, type ColumnKind, type StatTestName } from '../../shared/stats/drift/tests.js';
import { UserError } from '../../shared/runtime/errors.js';

const repeat = (counts: number[]) => counts.flatMap((c, i) => Array<number>(c).fill(i + 1));
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

function run(kind: ColumnKind, ref: RawValue[], cur: RawValue[], test?: StatTestName) {
  return columnDrift('x', rawEvidence('x', kind, ref, cur), test ? { test } : {});
}

// Golden values from docs: shared/reference/drift-and-validation.md (numpy/scipy re-implementation of Evidently's rules).
describe('golden values: 1..6 repeated [16,18,16,14,12,12] vs [16,16,16,16,16,8] (categorical)', () => {
  const ref = repeat([16, 18, 16, 14, 12, 12]);
  const cur = repeat([16, 16, 16, 16, 16, 8]);
  it.each([
    ['psi', 0.0372184],
    ['jensenshannon', 0.0680482],
    ['kl_div', 0.0189097],
    ['chisquare', 0.67309],
    ['hellinger', 0.06812],
  ] as const)('%s = %f', (test, value) => {
    const r = run('categorical', ref, cur, test);
    expect(r.value!).toBeCloseTo(value, test === 'hellinger' ? 4 : 5);
  });
  it('wasserstein on the same values as numbers', () => {
    expect(run('numeric', ref, cur, 'wasserstein').value!).toBeCloseTo(0.0544331, 7);
  });
  it('chooses chisquare automatically (88 rows, 6 categories) and says why', () => {
    const r = run('categorical', ref, cur);
    expect(r.test).toBe('chisquare');
    expect(r.reason).toMatch(/categorical column with 6 distinct values and 88 reference values \(<= 1000\): chi-square/);
    expect(r.effect!.name).toBe("Cramer's V");
    expect(r.drifted).toBe(false);
  });
});

describe('golden values: 10 sin(i), i < 2000 vs 10 sin(j) + 1, j < 1500 (numeric, 13 Sturges bins)', () => {
  const ref = range(2000, (i) => 10 * Math.sin(i));
  const cur = range(1500, (j) => 10 * Math.sin(j) + 1);
  it('13 bins', () => {
    expect(sturgesEdges(Math.min(...ref, ...cur), Math.max(...ref, ...cur), 3500)).toHaveLength(14);
  });
  it.each([
    ['psi', 0.0855922, 7],
    ['jensenshannon', 0.1030009, 7],
    ['kl_div', 0.0428208, 7],
    ['wasserstein', 0.1423148, 7],
  ] as const)('%s = %f', (test, value, digits) => {
    expect(run('numeric', ref, cur, test).value!).toBeCloseTo(value, digits);
  });
  it('ks p = 4.3e-16 (exact: both samples <= 10,000 values)', () => {
    const r = ks2samp(ref, cur);
    expect(r.method).toBe('exact');
    expect(r.pValue / 4.3e-16).toBeCloseTo(1, 1);
  });
  it('chooses wasserstein above 1,000 reference rows', () => {
    const r = run('numeric', ref, cur);
    expect(r.test).toBe('wasserstein');
    expect(r.drifted).toBe(true);
    expect(r.condition).toBe('wasserstein >= 0.1');
  });
});

describe('registry: names, kinds, thresholds and conditions as Evidently decides', () => {
  it.each([
    ['ks', 'p-value', 0.05, 0.05, true],
    ['chisquare', 'p-value', 0.05, 0.05, false],
    ['z', 'p-value', 0.05, 0.05, false],
    ['wasserstein', 'distance', 0.1, 0.1, true],
    ['jensenshannon', 'distance', 0.1, 0.1, true],
    ['psi', 'distance', 0.1, 0.1, true],
    ['kl_div', 'distance', 0.1, 0.1, true],
    ['hellinger', 'distance', 0.1, 0.1, true],
  ] as const)('%s: %s, threshold %f, drifted at the threshold itself: %s', (name, kind, threshold, atThreshold, drifted) => {
    const t = STAT_TESTS[name];
    expect(t.kind).toBe(kind);
    expect(t.defaultThreshold).toBe(threshold);
    expect(t.drifted(atThreshold, threshold)).toBe(drifted);
    if (t.kind === 'p-value') expect(t.effect).toBeTruthy();
  });
  it('a test set by hand says so, and names the automatic choice', () => {
    expect(run('numeric', [1, 2, 3, 4, 5, 6, 7], [2, 3, 4, 5, 6, 7, 8], 'psi').reason).toBe('set for this column (the automatic choice: ks)');
  });
  it('refuses a test that does not apply to the column kind, naming the ones that do', () => {
    expect(() => run('categorical', ['a', 'b'], ['a', 'b'], 'ks')).toThrow(UserError);
    expect(() => run('categorical', ['a', 'b'], ['a', 'b'], 'ks')).toThrow(/'ks' does not apply to categorical column 'x'/);
  });
});

describe('automatic choice', () => {
  it.each([
    ['numeric', 1000, 6, 'ks'],
    ['numeric', 1000, 5, 'chisquare'],
    ['numeric', 1000, 2, 'z'],
    ['categorical', 1000, 3, 'chisquare'],
    ['categorical', 1000, 2, 'z'],
    ['numeric', 1001, 6, 'wasserstein'],
    ['numeric', 1001, 5, 'jensenshannon'],
    ['categorical', 1001, 50, 'jensenshannon'],
  ] as const)('%s, %d reference rows, %d distinct: %s', (kind, rows, distinct, test) => {
    expect(chooseTest(kind, rows, distinct).test).toBe(test);
  });
});

describe('column kinds as Evidently types them', () => {
  it.each([
    ['float', 3, 'numeric'],
    ['integer', 10, 'categorical'],
    ['integer', 11, 'numeric'],
    ['text', 500, 'categorical'],
    ['boolean', 2, 'categorical'],
  ] as const)('%s with %d distinct reference values: %s', (type, distinct, kind) => {
    expect(columnKind(type, distinct)).toBe(kind);
  });
});

describe('numpy histogram semantics', () => {
  it('Sturges: k = ceil(log2 n + 1); constant data: one bin +/- 0.5', () => {
    expect(sturgesEdges(0, 1, 100)).toHaveLength(9);
    expect(sturgesEdges(3, 3, 10)).toEqual([2.5, 3.5]);
  });
  it('bins are half-open except the last; values outside are dropped', () => {
    expect(histogram([0, 0.5, 1, 1.5, 2, 2.5], [0, 1, 2])).toEqual([2, 3]);
  });
});

describe('explicit edge cases, never a NaN verdict', () => {
  it('a category only in current data: chi-square p = 0, reported as a new category', () => {
    const r = run('categorical', ['a', 'b', 'a', 'b'], ['a', 'b', 'c', 'c']);
    expect(r.test).toBe('chisquare');
    expect(r.value).toBe(0);
    expect(r.drifted).toBe(true);
    expect(r.newCategories).toEqual(['c']);
    expect(r.notes.join()).toMatch(/new categories in current data: c/);
  });
  it('a constant column: p = 1 and a note, where scipy gives NaN', () => {
    for (const test of ['chisquare', 'z'] as const) {
      const r = run('categorical', ['a', 'a'], ['a', 'a', 'a'], test);
      expect(r.value).toBe(1);
      expect(r.drifted).toBe(false);
      expect(r.notes.join()).toMatch(/constant column/);
    }
    const k = run('numeric', [2, 2, 2], [2, 2]);
    expect(k.value).toBe(1);
  });
  it('an empty current window and an all-null column are not tested, and say so', () => {
    const empty = run('numeric', [1, 2, 3], []);
    expect(empty.status).toBe('no-data');
    expect(empty.reason).toMatch(/no current values/);
    const nulls = run('numeric', [null, NaN, Infinity], [1, 2]);
    expect(nulls.status).toBe('no-data');
    expect(nulls.reason).toMatch(/no reference values/);
    expect(datasetDrift([empty, nulls]).status).toBe('warn');
  });
  it('Inf and NaN are dropped from numeric columns per side', () => {
    const r = run('numeric', [1, 2, 3, NaN, -Infinity], [1, 2, 3, Infinity, null]);
    expect(r.referenceCount).toBe(3);
    expect(r.currentCount).toBe(3);
  });
});

describe('dataset verdict', () => {
  const col = (column: string, drifted: boolean) => ({ ...run('categorical', ['a', 'b'], drifted ? ['c', 'c'] : ['a', 'b']), column });
  it.each([
    [[false, false], 'ok', 0],
    [[true, false, false], 'warn', 1 / 3],
    [[true, false], 'drift', 0.5],
    [[true, true], 'drift', 1],
  ] as const)('%j -> %s', (flags, status, share) => {
    const d = datasetDrift(flags.map((f, i) => col(`c${i}`, f)));
    expect(d.status).toBe(status);
    expect(d.driftShare).toBeCloseTo(share, 12);
    expect(d.columns[0]!.drifted).toBe(flags.some((f) => f));
  });
  it('nothing tested is a warning, not ok', () => {
    expect(datasetDrift([]).status).toBe('warn');
  });
});

describe('fixed bins', () => {
  it('value counts give exactly the raw-value numbers', () => {
    const ref = ['a', 'a', 'b', 'c', 'c', 'c'];
    const cur = ['a', 'b', 'b', 'c', 'd'];
    const counts = (xs: string[]) => [...new Set(xs)].map((k) => [k, xs.filter((x) => x === k).length] as const);
    for (const test of ['chisquare', 'psi', 'kl_div', 'jensenshannon', 'hellinger'] as const) {
      const raw = run('categorical', ref, cur, test);
      const binned = columnDrift('x', binnedEvidence('x', { kind: 'categorical', reference: counts(ref), current: counts(cur) }), { test });
      expect(binned.value, test).toBeCloseTo(raw.value!, 14);
      expect(binned.newCategories).toEqual(['d']);
    }
  });
  it('sketch buckets: KS on the binned CDF and Wasserstein on bucket values stay close to the raw numbers', () => {
    const ref = range(3000, (i) => 50 + 10 * Math.sin(i));
    const cur = range(2000, (j) => 52 + 10 * Math.sin(j));
    const rs = emptySketch();
    const cs = emptySketch();
    ref.forEach((x) => add(rs, x));
    cur.forEach((x) => add(cs, x));
    const mean = ref.reduce((s, x) => s + x, 0) / ref.length;
    const std = Math.sqrt(ref.reduce((s, x) => s + (x - mean) ** 2, 0) / ref.length);
    const ev = binnedEvidence('x', { kind: 'numeric', ...sketchBins(rs, cs), referenceStd: std });
    const w = columnDrift('x', ev, { test: 'wasserstein' }).value!;
    const wRaw = run('numeric', ref, cur, 'wasserstein').value!;
    expect(Math.abs(w - wRaw)).toBeLessThan(0.01 * 60 / std);
    const ks = columnDrift('x', ev, { test: 'ks' });
    const ksRaw = run('numeric', ref, cur, 'ks');
    expect(ks.effect!.value).toBeLessThanOrEqual(ksRaw.effect!.value + 1e-12);
    expect(ks.basis).toBe('fixed bins');
  });
});

describe('docs/drift.md', () => {
  it('its example runs and gives the values its comments state', async () => {
    const fs = await import('node:fs');
    const doc = fs.readFileSync(new URL('../../docs/drift.md', import.meta.url), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const body = block.split('\n').filter((l) => !l.startsWith('import ')).join('\n');
    const run = new Function('rawEvidence', 'columnDrift', 'datasetDrift', `${body}\nreturn { wave, small, verdict };`);
    const { wave, small, verdict } = run(rawEvidence, columnDrift, datasetDrift);
    let claims = 0;
    for (const claim of block.matchAll(/(\w+(?:\.\w+)+) === ('[^']*'|[^,\n]+)/g)) {
      const [, expr, expected] = claim;
      const actual = expr!.split('.').slice(1).reduce((o: any, k) => o[k], { wave, small, verdict }[expr!.split('.')[0]! as 'wave']);
      if (/to 7 digits/.test(expected!)) expect(actual, expr).toBeCloseTo(Number(expected!.split(' ')[0]), 7);
      else expect(actual, expr).toEqual(JSON.parse(expected!.trim().replace(/^'(.*)'$/, (_m, t: string) => JSON.stringify(t))));
      claims++;
    }
    expect(claims).toBe(10);
  });
});
