/**
 * The registry of drift tests, under Evidently's names and with its defaults: what each one
 * computes (named exactly, since "JS" alone means three different numbers across tools),
 * which column kinds it accepts, whether it yields a p-value or a distance, the default
 * threshold and the drift condition exactly as Evidently decides it. Pure.
 */
export type ColumnKind = 'numeric' | 'categorical';
export type StatTestName = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi' | 'kl_div' | 'hellinger';
export const STAT_TEST_NAMES: readonly StatTestName[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'kl_div', 'hellinger'];

export interface StatTest {
  name: StatTestName;
  /** The exact statistic, for reports. */
  statistic: string;
  kinds: readonly ColumnKind[];
  kind: 'p-value' | 'distance';
  defaultThreshold: number;
  /** The drift condition as text, e.g. "p <= 0.05". */
  condition: (threshold: number) => string;
  drifted: (value: number, threshold: number) => boolean;
  /** The effect size reported beside a p-value. */
  effect?: string;
}

const pValueBelow = (name: StatTestName, statistic: string, kinds: ColumnKind[], effect: string): StatTest => ({
  name, statistic, kinds, kind: 'p-value', defaultThreshold: 0.05, effect,
  condition: (t) => `p < ${t}`,
  drifted: (p, t) => p < t,
});

const distance = (name: StatTestName, statistic: string, kinds: ColumnKind[]): StatTest => ({
  name, statistic, kinds, kind: 'distance', defaultThreshold: 0.1,
  condition: (t) => `${name} >= ${t}`,
  drifted: (v, t) => v >= t,
});

const BOTH: ColumnKind[] = ['numeric', 'categorical'];

export const STAT_TESTS: Readonly<Record<StatTestName, StatTest>> = {
  ks: {
    name: 'ks',
    statistic: 'two-sample Kolmogorov-Smirnov p-value (two-sided; exact when both samples have <= 10,000 values, else asymptotic)',
    kinds: ['numeric'],
    kind: 'p-value',
    defaultThreshold: 0.05,
    effect: 'Kolmogorov-Smirnov D (largest gap between the two empirical CDFs)',
    condition: (t) => `p <= ${t}`,
    drifted: (p, t) => p <= t,
  },
  chisquare: pValueBelow(
    'chisquare',
    "chi-square goodness-of-fit p-value, expected = reference counts x n_current / n_reference",
    ['categorical'],
    "Cramer's V of the reference-vs-current contingency table",
  ),
  z: pValueBelow('z', 'two-proportion z-test p-value (two-sided, pooled variance)', ['categorical'], 'difference in proportion (current - reference)'),
  wasserstein: distance('wasserstein', 'Wasserstein-1 distance divided by the reference standard deviation (population, at least 0.001)', ['numeric']),
  jensenshannon: distance('jensenshannon', 'Jensen-Shannon distance (square root of the divergence, natural log)', BOTH),
  psi: distance('psi', 'population stability index, sum (r - c) ln(r / c), empty bins filled', BOTH),
  kl_div: distance('kl_div', 'Kullback-Leibler divergence KL(reference || current), natural log, empty bins filled', BOTH),
  hellinger: distance('hellinger', 'Hellinger distance sqrt(1 - sum sqrt(r c))', BOTH),
};

export function isStatTestName(name: string): name is StatTestName {
  return (STAT_TEST_NAMES as readonly string[]).includes(name);
}
