/**
 * What a drift test needs to know about one column, whichever way it was measured: raw
 * values (raw.ts, Evidently's numbers exactly) or fixed bins and value counts from a stored
 * profile (binned.ts). Each test asks only for the view it needs. Pure.
 */
import type { KsResult } from './ks.js';
import type { ColumnKind } from './tests.js';

export interface CategoryCount {
  /** The value as text, for reports. */
  label: string;
  reference: number;
  current: number;
}

export interface Evidence {
  kind: ColumnKind;
  /** 'raw values' (equal to Evidently's) or 'fixed bins' (see docs/drift.md). */
  basis: 'raw values' | 'fixed bins';
  /** Non-null (and, for numbers, finite) values on each side. */
  referenceCount: number;
  currentCount: number;
  /** Distinct values in reference and current together (Evidently's nunique), for the automatic choice. */
  distinct: number;
  /** Every category with its counts, in Python's sorted order of the values (the z-test's reference category is the first). */
  categories(): CategoryCount[];
  /** Proportions per bin or category on each side, the input of psi, kl_div and jensenshannon. */
  binned(): { reference: number[]; current: number[] };
  hellinger(): number;
  ks(): KsResult;
  /** W1 divided by max(reference population std, 0.001). */
  wassersteinNormed(): number;
}
