/**
 * Evidently's automatic choice of drift test for a column (get_stattest's defaults), with the
 * reason in a sentence for the report, since the test silently switches at 1,000 rows. Pure.
 */
import type { ColumnKind, StatTestName } from './tests.js';

export const SMALL_REFERENCE_ROWS = 1000;
/** Integer columns with at most this many distinct values are categorical (Evidently's INTEGER_CARDINALITY_LIMIT). */
export const INTEGER_CATEGORICAL_LIMIT = 10;

export interface Choice {
  test: StatTestName;
  reason: string;
}

/**
 * @param referenceRows non-null reference values
 * @param distinct distinct values in reference and current together
 */
export function chooseTest(kind: ColumnKind, referenceRows: number, distinct: number): Choice {
  const rows = `${referenceRows} reference values`;
  const small = referenceRows <= SMALL_REFERENCE_ROWS;
  const size = small ? `${rows} (<= ${SMALL_REFERENCE_ROWS})` : `${rows} (> ${SMALL_REFERENCE_ROWS})`;
  if (kind === 'numeric' && distinct > 5) {
    return small
      ? { test: 'ks', reason: `numeric column with ${distinct} distinct values and ${size}: Kolmogorov-Smirnov test` }
      : { test: 'wasserstein', reason: `numeric column with ${distinct} distinct values and ${size}: normed Wasserstein distance, since p-values flag negligible shifts on large samples` };
  }
  const what = kind === 'numeric' ? `numeric column with only ${distinct} distinct values` : `categorical column with ${distinct} distinct values`;
  if (!small) return { test: 'jensenshannon', reason: `${what} and ${size}: Jensen-Shannon distance` };
  return distinct > 2
    ? { test: 'chisquare', reason: `${what} and ${size}: chi-square test` }
    : { test: 'z', reason: `${what} and ${size}: two-proportion z-test` };
}

/** Evidently's column typing from the value type and the reference's distinct count. */
export function columnKind(type: 'float' | 'integer' | 'text' | 'boolean', referenceDistinct: number): ColumnKind {
  if (type === 'float') return 'numeric';
  if (type === 'integer') return referenceDistinct <= INTEGER_CATEGORICAL_LIMIT ? 'categorical' : 'numeric';
  return 'categorical';
}
