import { beforeAll, describe, expect, it } from 'vitest';
import {
  classificationMetrics,
  compareCodePoints,
  prepareClassification,
  sortedLabels,
  type ClassificationInput,
  type ClassificationMetrics,
} from '../../shared/stats/classification.js';
import { createRandom, type Random } from '../../shared/stats/random.js';
import { expectClose, golden } from '../harness/sklearn.js';

interface Golden {
  labels: string[];
  accuracy: number;
  confusion_matrix: number[][];
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_weighted: number;
  recall_weighted: number;
  f1_weighted: number;
  per_class: { precision: number[]; recall: number[]; f1: number[]; support: number[] };
  roc_auc?: number | null;
  pr_auc?: number | null;
  log_loss?: number;
  brier?: number;
}

interface Case {
  name: string;
  input: ClassificationInput & { proba?: number[][] };
  /** Score only these rows (a bootstrap resample), with the full data's labels. */
  idx?: Uint32Array;
  /** Pass the labels to sklearn explicitly (input.labels, or the prepared labels for a resample). */
  expect?: (m: ClassificationMetrics) => void;
}

function pick<T>(r: Random, items: readonly T[]): T {
  return items[r.nextInt(items.length)]!;
}

/** A probability row with a random mass on each class. */
function randomRow(r: Random, k: number): number[] {
  const raw = Array.from({ length: k }, () => r.nextFloat() + 0.01);
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => v / sum);
}

/** A row from a few fixed shapes, placed at a random class: many exact ties across rows. */
function tiedRow(r: Random, k: number, top: number): number[] {
  const shapes = [0.5, 0.7, 0.25, 0.4];
  const hi = pick(r, shapes);
  const row = Array.from({ length: k }, () => (1 - hi) / (k - 1));
  row[top] = hi;
  return row;
}

function argmax(row: number[]): number {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
}

function cases(): Case[] {
  const r = createRandom(20240601);
  const out: Case[] = [];

  {
    // Binary, scores on a 0.1 grid: most thresholds are ties mixing both classes.
    const classes = ['neg', 'pos'];
    const yTrue: string[] = [];
    const yPred: string[] = [];
    const proba: number[][] = [];
    for (let i = 0; i < 240; i++) {
      const pos = r.nextFloat() < 0.4;
      const p1 = Math.round(Math.min(1, Math.max(0, (pos ? 0.62 : 0.38) + (r.nextFloat() - 0.5) * 0.9)) * 10) / 10;
      yTrue.push(pos ? 'pos' : 'neg');
      yPred.push(p1 >= 0.5 ? 'pos' : 'neg');
      proba.push([1 - p1, p1]);
    }
    out.push({ name: 'binary with tied scores', input: { yTrue, yPred, classes, proba } });
    // The same rows, resampled with repeats.
    const idx = new Uint32Array(240);
    for (let i = 0; i < idx.length; i++) idx[i] = r.nextInt(240);
    out.push({ name: 'binary with tied scores, a bootstrap resample', input: { yTrue, yPred, classes, proba }, idx });
  }

  {
    // Four classes; 'dog' occurs but is never predicted; tied and random rows mixed.
    const classes = ['ant', 'bee', 'cat', 'dog'];
    const yTrue: string[] = [];
    const yPred: string[] = [];
    const proba: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const t = r.nextInt(4);
      const row = r.nextFloat() < 0.5 ? tiedRow(r, 4, r.nextFloat() < 0.6 ? t : r.nextInt(4)) : randomRow(r, 4);
      let p = argmax(row);
      if (p === 3) p = r.nextInt(3);
      yTrue.push(classes[t]!);
      yPred.push(classes[p]!);
      proba.push(row);
    }
    out.push({ name: 'multiclass (4), a class never predicted, tied scores', input: { yTrue, yPred, classes, proba } });
    const idx = new Uint32Array(500);
    for (let i = 0; i < idx.length; i++) idx[i] = r.nextInt(300);
    out.push({ name: 'multiclass (4), a bootstrap resample of 500 rows', input: { yTrue, yPred, classes, proba }, idx });
  }

  {
    // Three classes, imbalanced 90/8/2, predictions mostly the majority class.
    const classes = ['common', 'rare', 'very-rare'];
    const yTrue: string[] = [];
    const yPred: string[] = [];
    const proba: number[][] = [];
    for (let i = 0; i < 500; i++) {
      const u = r.nextFloat();
      const t = u < 0.9 ? 0 : u < 0.98 ? 1 : 2;
      const row = randomRow(r, 3);
      row[t] = row[t]! + 0.3;
      row[0] = row[0]! + 0.5;
      const sum = row.reduce((a, b) => a + b, 0);
      const p = row.map((v) => v / sum);
      yTrue.push(classes[t]!);
      yPred.push(classes[argmax(p)]!);
      proba.push(p);
    }
    out.push({ name: 'multiclass (3), imbalanced', input: { yTrue, yPred, classes, proba } });
  }

  {
    // Five classes, perfect: one-hot probabilities (log_loss clips 1 to 1 - eps).
    const classes = ['a', 'b', 'c', 'd', 'e'];
    const yTrue = Array.from({ length: 60 }, (_, i) => classes[i % 5]!);
    const proba = yTrue.map((y) => classes.map((c) => (c === y ? 1 : 0)));
    out.push({
      name: 'multiclass (5), perfect',
      input: { yTrue, yPred: [...yTrue], classes, proba },
      expect: (m) => {
        expect(m.accuracy).toBe(1);
        expect(m.f1Macro).toBe(1);
        expect(m.rocAuc).toBe(1);
        expect(m.prAuc).toBe(1);
        expect(m.brier).toBe(0);
      },
    });
  }

  {
    // Binary, worst: every prediction wrong with certainty (log_loss clips 0 to eps).
    const classes = ['0', '1'];
    const yTrue = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? '1' : '0'));
    const yPred = yTrue.map((y) => (y === '1' ? '0' : '1'));
    const proba = yTrue.map((y) => (y === '1' ? [1, 0] : [0, 1]));
    out.push({
      name: 'binary, worst',
      input: { yTrue, yPred, classes, proba },
      expect: (m) => {
        expect(m.accuracy).toBe(0);
        expect(m.rocAuc).toBe(0);
        expect(m.logLoss).toBeCloseTo(-Math.log(Number.EPSILON), 12);
        expect(m.brier).toBe(1);
      },
    });
  }

  {
    // A class of `classes` never true (sometimes predicted): ROC AUC is undefined (NaN), its AP counts 0.
    const classes = ['x', 'y', 'z'];
    const yTrue: string[] = [];
    const yPred: string[] = [];
    const proba: number[][] = [];
    for (let i = 0; i < 120; i++) {
      const t = r.nextInt(2);
      const row = randomRow(r, 3);
      yTrue.push(classes[t]!);
      yPred.push(classes[argmax(row)]!);
      proba.push(row);
    }
    out.push({
      name: 'multiclass (3), a class absent from y_true',
      input: { yTrue, yPred, classes, proba },
      expect: (m) => {
        expect(m.rocAuc).toBeNaN();
        expect(m.perClass.find((c) => c.label === 'z')).toMatchObject({ recall: 0, support: 0 });
      },
    });
  }

  {
    // Binary with one class in y_true: ROC AUC undefined, AP of no positives is 0.
    const classes = ['no', 'yes'];
    const yTrue = Array.from({ length: 30 }, () => 'no');
    const proba = yTrue.map(() => {
      const p = Math.round(r.nextFloat() * 4) / 4;
      return [1 - p, p];
    });
    const yPred = proba.map((p) => (p[1]! > 0.5 ? 'yes' : 'no'));
    out.push({
      name: 'binary, only negatives in y_true',
      input: { yTrue, yPred, classes, proba },
      expect: (m) => {
        expect(m.rocAuc).toBeNaN();
        expect(m.prAuc).toBe(0);
      },
    });
  }

  {
    // Explicit labels: one absent from both columns (scores 0 in the macro average), and
    // labels that leave out a class that occurs (its rows leave the confusion matrix).
    const all = ['p', 'q', 'r', 's'];
    const yTrue = Array.from({ length: 80 }, () => pick(r, all));
    const yPred = yTrue.map((y) => (r.nextFloat() < 0.6 ? y : pick(r, all)));
    out.push({ name: 'labels with one absent from the data', input: { yTrue, yPred, labels: ['p', 'q', 'r', 's', 't'] } });
    out.push({ name: 'labels leaving out a class that occurs', input: { yTrue, yPred, labels: ['s', 'q', 'p'] } });
    out.push({ name: 'labels only, default label set', input: { yTrue, yPred } });
  }

  {
    // Label order: Python sorts str by code point; JavaScript's sort would put '\uffff' after the emoji.
    const names = ['é', 'Z', 'z', '😀', '\uffff', 'a b'];
    const yTrue = Array.from({ length: 40 }, () => pick(r, names));
    const yPred = yTrue.map((y) => (r.nextFloat() < 0.5 ? y : pick(r, names)));
    out.push({ name: 'unicode labels in code-point order', input: { yTrue, yPred } });
  }
  return out;
}

describe('classification metrics equal scikit-learn 1.9', () => {
  const all = cases();
  let expected: Golden[] = [];
  beforeAll(() => {
    expected = golden<Golden>(
      all.map((c) => {
        const labels = c.input.labels ?? (c.idx ? prepareClassification(c.input).labels : null);
        return { kind: 'classification', ...c.input, labels, idx: c.idx ? Array.from(c.idx) : null };
      }),
    );
  });

  all.forEach((c, caseIndex) => {
    it(c.name, () => {
      const g = expected[caseIndex]!;
      const m = c.idx ? prepareClassification(c.input).metrics(c.idx) : classificationMetrics(c.input);
      expect(m.labels).toEqual(g.labels);
      expect(m.confusionMatrix).toEqual(g.confusion_matrix);
      expectClose(m.accuracy, g.accuracy, 'accuracy');
      expectClose(m.precisionMacro, g.precision_macro, 'precision_macro');
      expectClose(m.recallMacro, g.recall_macro, 'recall_macro');
      expectClose(m.f1Macro, g.f1_macro, 'f1_macro');
      expectClose(m.precisionWeighted, g.precision_weighted, 'precision_weighted');
      expectClose(m.recallWeighted, g.recall_weighted, 'recall_weighted');
      expectClose(m.f1Weighted, g.f1_weighted, 'f1_weighted');
      m.perClass.forEach((k, i) => {
        expectClose(k.precision, g.per_class.precision[i], `precision[${k.label}]`);
        expectClose(k.recall, g.per_class.recall[i], `recall[${k.label}]`);
        expectClose(k.f1, g.per_class.f1[i], `f1[${k.label}]`);
        expect(k.support).toBe(g.per_class.support[i]);
      });
      if (c.input.proba) {
        expectClose(m.rocAuc, g.roc_auc, 'roc_auc');
        expectClose(m.prAuc, g.pr_auc, 'pr_auc');
        expectClose(m.logLoss, g.log_loss, 'log_loss');
        expectClose(m.brier, g.brier, 'brier');
      } else {
        expect(m.rocAuc).toBeUndefined();
      }
      c.expect?.(m);
    });
  });
});

describe('classification metrics: inputs and invariants', () => {
  const base = cases()[2]!.input; // four classes, with probabilities

  it('a row-major Float64Array gives the same metrics as rows of numbers', () => {
    const flat = Float64Array.from(base.proba!.flat());
    expect(classificationMetrics({ ...base, proba: flat })).toEqual(classificationMetrics(base));
  });

  it('multiclass probability metrics do not depend on the column order', () => {
    const order = [2, 0, 3, 1];
    const permuted = { ...base, classes: order.map((c) => base.classes![c]!), proba: base.proba!.map((row) => order.map((c) => row[c]!)) };
    const a = classificationMetrics(base);
    const b = classificationMetrics(permuted);
    for (const key of ['rocAuc', 'prAuc', 'logLoss', 'brier'] as const) expectClose(b[key], a[key], key, 1e-12);
  });

  it('binary: the positive class is classes[1], whatever its name', () => {
    const yTrue = ['b', 'a', 'b', 'a', 'b'];
    const proba = [[0.1, 0.9], [0.8, 0.2], [0.4, 0.6], [0.3, 0.7], [0.9, 0.1]];
    const asGiven = classificationMetrics({ yTrue, yPred: yTrue, classes: ['a', 'b'], proba });
    const swapped = classificationMetrics({ yTrue, yPred: yTrue, classes: ['b', 'a'], proba: proba.map(([x, y]) => [y!, x!]) });
    expectClose(swapped.rocAuc, asGiven.rocAuc, 'roc_auc is symmetric');
    expect(asGiven.rocAuc).toBe(0.5); // b above a in 3 of the 6 (b, a) pairs
  });

  it('scalars are the bootstrap statistic: the suite metric names, probability ones only with proba', () => {
    const withProba = prepareClassification(base).scalars();
    expect(Object.keys(withProba)).toEqual([
      'accuracy',
      'precision.macro',
      'recall.macro',
      'f1.macro',
      'precision.weighted',
      'recall.weighted',
      'f1.weighted',
      'roc_auc',
      'pr_auc',
      'log_loss',
      'brier',
    ]);
    expect(Object.keys(prepareClassification({ yTrue: base.yTrue, yPred: base.yPred }).scalars())).not.toContain('roc_auc');
  });

  it('scoring a resample does not disturb scoring all rows afterwards', () => {
    const prepared = prepareClassification(base);
    const before = prepared.metrics();
    prepared.metrics(new Uint32Array([0, 0, 1]));
    expect(prepared.metrics()).toEqual(before);
  });

  const bad: [string, ClassificationInput, RegExp][] = [
    ['lengths differ', { yTrue: ['a', 'b'], yPred: ['a'] }, /rows/],
    ['no rows', { yTrue: [], yPred: [] }, /no rows/],
    ['proba without classes', { yTrue: ['a'], yPred: ['a'], proba: [[1, 0]] }, /classes/],
    ['a probability above 1', { yTrue: ['a', 'b'], yPred: ['a', 'b'], classes: ['a', 'b'], proba: [[0, 1.5], [0.5, 0.5]] }, /outside \[0, 1\]/],
    ['a NaN probability', { yTrue: ['a', 'b'], yPred: ['a', 'b'], classes: ['a', 'b'], proba: [[NaN, 1], [0.5, 0.5]] }, /outside/],
    ['a true label not in classes', { yTrue: ['a', 'c'], yPred: ['a', 'b'], classes: ['a', 'b'], proba: [[1, 0], [0.5, 0.5]] }, /not in classes/],
    ['a ragged row', { yTrue: ['a', 'b'], yPred: ['a', 'b'], classes: ['a', 'b'], proba: [[1, 0], [0.5]] }, /row 1/],
    ['duplicate labels', { yTrue: ['a'], yPred: ['a'], labels: ['a', 'a'] }, /twice/],
  ];
  for (const [name, input, message] of bad) {
    it(`rejects ${name}`, () => expect(() => classificationMetrics(input)).toThrow(message));
  }

  it('sorts labels by code point, as Python does', () => {
    expect(sortedLabels(['😀', '\uffff', 'b'], ['a', 'B'])).toEqual(['B', 'a', 'b', '\uffff', '😀']);
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'a')).toBe(0);
  });
});
