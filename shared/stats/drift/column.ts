/**
 * One column's drift: run the chosen (or automatic) test on its evidence and say what ran,
 * why, the value, the effect size beside a p-value, and the decision; never a NaN verdict.
 * Pure.
 */
import { UserError } from '../../runtime/errors.js';
import { chiSquareSf, regularizedGammaQ } from '../special.js';
import { chooseTest } from './choose.js';
import { jensenShannonDistance, klDivergence, psi } from './distances.js';
import type { Evidence } from './evidence.js';
import { STAT_TESTS, type ColumnKind, type StatTestName } from './tests.js';

export interface TestRequest {
  /** Set per column; the automatic choice when absent. */
  test?: StatTestName;
  threshold?: number;
}

export interface ColumnDrift {
  column: string;
  kind: ColumnKind;
  /** 'no-data' when either side has no usable value: nothing was tested, nothing is claimed. */
  status: 'tested' | 'no-data';
  basis: Evidence['basis'];
  test: StatTestName | null;
  /** The exact statistic, e.g. "Jensen-Shannon distance (square root of the divergence, natural log)". */
  statistic: string | null;
  valueKind: 'p-value' | 'distance' | null;
  value: number | null;
  threshold: number | null;
  /** The drift condition as applied, e.g. "p <= 0.05". */
  condition: string | null;
  drifted: boolean;
  effect: { name: string; value: number } | null;
  /** Why this test ran. */
  reason: string;
  referenceCount: number;
  currentCount: number;
  /** Categories present in current data and never in the reference. */
  newCategories: string[];
  /** Anything special about the computation (constant column, new categories, ...). */
  notes: string[];
}

export function columnDrift(column: string, evidence: Evidence, request: TestRequest = {}): ColumnDrift {
  const base = {
    column,
    kind: evidence.kind,
    basis: evidence.basis,
    referenceCount: evidence.referenceCount,
    currentCount: evidence.currentCount,
  };
  const empty = evidence.referenceCount === 0 ? 'reference' : evidence.currentCount === 0 ? 'current' : null;
  if (empty) {
    return {
      ...base, status: 'no-data', test: null, statistic: null, valueKind: null, value: null, threshold: null, condition: null,
      drifted: false, effect: null, newCategories: [], notes: [],
      reason: `no ${empty === 'reference' ? 'reference' : 'current'} values (the column is empty or all null there): not tested`,
    };
  }
  const automatic = chooseTest(evidence.kind, evidence.referenceCount, evidence.distinct);
  const choice = request.test ? { test: request.test, reason: `set for this column (the automatic choice: ${automatic.test})` } : automatic;
  const test = STAT_TESTS[choice.test];
  // Evidently's automatic choice runs chisquare / z on numeric columns with few values too; only a test set by hand is checked.
  if (request.test && !test.kinds.includes(evidence.kind)) {
    throw new UserError(`drift test '${test.name}' does not apply to ${evidence.kind} column '${column}'`, {
      fix: `use one of ${Object.values(STAT_TESTS).filter((t) => t.kinds.includes(evidence.kind)).map((t) => t.name).join(', ')} for this column`,
    });
  }
  const threshold = request.threshold ?? test.defaultThreshold;
  const notes: string[] = [];
  const newCategories = evidence.kind === 'categorical' ? evidence.categories().filter((c) => c.reference === 0).map((c) => c.label) : [];
  if (newCategories.length > 0) notes.push(`new categories in current data: ${newCategories.join(', ')}`);
  const { value, effect } = compute(choice.test, evidence, notes);
  if (Number.isNaN(value)) throw new Error(`drift test '${test.name}' gave NaN on column '${column}' (${evidence.referenceCount} reference, ${evidence.currentCount} current values)`);
  return {
    ...base, status: 'tested', test: test.name, statistic: test.statistic, valueKind: test.kind, value, threshold,
    condition: test.condition(threshold), drifted: test.drifted(value, threshold), effect, reason: choice.reason,
    newCategories, notes,
  };
}

type Computed = { value: number; effect: ColumnDrift['effect'] };

function compute(name: StatTestName, e: Evidence, notes: string[]): Computed {
  switch (name) {
    case 'ks': {
      const r = e.ks();
      if (r.method === 'asymptotic') notes.push('asymptotic KS p-value (a sample has more than 10,000 values)');
      return { value: r.pValue, effect: { name: 'D', value: r.statistic } };
    }
    case 'chisquare':
      return chiSquare(e, notes);
    case 'z':
      return zTest(e, notes);
    case 'wasserstein':
      return { value: e.wassersteinNormed(), effect: null };
    case 'jensenshannon': {
      const b = e.binned();
      return { value: jensenShannonDistance(b.reference, b.current), effect: null };
    }
    case 'psi': {
      const b = e.binned();
      return { value: psi(b.reference, b.current), effect: null };
    }
    case 'kl_div': {
      const b = e.binned();
      return { value: klDivergence(b.reference, b.current), effect: null };
    }
    case 'hellinger':
      return { value: e.hellinger(), effect: null };
  }
}

const CONSTANT_NOTE = 'constant column: one and the same value in reference and current, so no drift (p = 1; Evidently gives NaN here)';

/** scipy.stats.chisquare(f_obs = current counts, f_exp = reference counts x n_cur / n_ref). */
function chiSquare(e: Evidence, notes: string[]): Computed {
  const cats = e.categories();
  const effect = { name: "Cramer's V", value: cramersV(cats, e.referenceCount, e.currentCount) };
  if (cats.length < 2) {
    notes.push(CONSTANT_NOTE);
    return { value: 1, effect };
  }
  const scale = e.currentCount / e.referenceCount;
  let stat = 0;
  for (const c of cats) {
    const expected = c.reference * scale;
    if (expected === 0) {
      // A category never seen in the reference: expected 0, statistic infinite, p = 0 (as scipy and Evidently).
      return { value: 0, effect };
    }
    stat += (c.current - expected) ** 2 / expected;
  }
  return { value: chiSquareSf(stat, cats.length - 1), effect };
}

/** Cramer's V of the 2 x k table (reference, current) x categories, without continuity correction. */
function cramersV(cats: { reference: number; current: number }[], nRef: number, nCur: number): number {
  if (cats.length < 2) return 0;
  const n = nRef + nCur;
  let chi2 = 0;
  for (const c of cats) {
    const col = c.reference + c.current;
    for (const [obs, row] of [[c.reference, nRef], [c.current, nCur]] as const) {
      const expected = (row * col) / n;
      chi2 += (obs - expected) ** 2 / expected;
    }
  }
  return Math.sqrt(chi2 / n);
}

/** Evidently's two-proportion z-test: the first category (sorted) against all others. */
function zTest(e: Evidence, notes: string[]): Computed {
  const cats = e.categories();
  const first = cats[0]!;
  const n1 = e.referenceCount;
  const n2 = e.currentCount;
  const p1 = (n1 - first.reference) / n1;
  const p2 = (n2 - first.current) / n2;
  const others = cats.length === 2 ? `'${cats[1]!.label}'` : `values other than '${first.label}'`;
  const effect = { name: `difference in the share of ${others} (current - reference)`, value: p2 - p1 };
  if (cats.length < 2) {
    notes.push(CONSTANT_NOTE);
    return { value: 1, effect };
  }
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  // 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2) = Q(1/2, z^2 / 2)
  return { value: regularizedGammaQ(0.5, (z * z) / 2), effect };
}

