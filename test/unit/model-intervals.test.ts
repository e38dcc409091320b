import { describe, expect, it } from 'vitest';
import { pairedBootstrap } from '../../shared/stats/bootstrap.js';
import { intervals, prepareModelScores } from '../../shared/model/evaluation.js';
import type { ModelScores, ScoredData } from '../../shared/model/score.js';
import { createRandom } from '../../shared/stats/random.js';

/** 3-class data scored by two models, as scoreAll returns it. */
function scored(n: number, seed: number): ScoredData {
  const r = createRandom(seed);
  const classes = ['fog', 'rain', 'sun'];
  const yText = Array.from({ length: n }, () => classes[r.nextInt(3)]!);
  const model = (role: string, skill: number): ModelScores => {
    const proba = new Float32Array(n * 3);
    const labels = yText.map((y, i) => {
      let sum = 0;
      for (let c = 0; c < 3; c++) sum += proba[i * 3 + c] = r.nextFloat() + (classes[c] === y ? skill : 0);
      let best = 0;
      for (let c = 0; c < 3; c++) {
        proba[i * 3 + c]! /= sum;
        if (proba[i * 3 + c]! > proba[i * 3 + best]!) best = c;
      }
      return classes[best]!;
    });
    return { role, labels, proba, classes, values: null, batchMs: [], rowMs: [] };
  };
  return { n, yText, yNumber: new Float64Array(n), slices: {}, models: [model('candidate', 0.5), model('baseline', 0.3)] };
}

describe("the gate's intervals", () => {
  const data = scored(2000, 3);
  const [c, b] = data.models.map((m) => prepareModelScores('multiclass', data, m, ['fog', 'rain', 'sun'])) as [ReturnType<typeof prepareModelScores>, ReturnType<typeof prepareModelScores>];
  const o = { resamples: 2000, seed: 42, confidence: 0.95 };

  it('every scalar metric gets a candidate CI and a CI of the difference that agree with the paired row bootstrap', () => {
    const ci = intervals(c, b, o);
    const rows = pairedBootstrap({ n: 2000, ...o, candidate: c.statistic, baseline: b.statistic });
    expect(Object.keys(ci.difference).sort()).toEqual(Object.keys(rows.difference).sort());
    for (const [key, ref] of Object.entries(rows.difference)) {
      const tolerance = 0.15 * ((ref.upper - ref.lower) / 2);
      expect(Math.abs(ci.difference[key]!.lo - ref.lower), key).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(ci.difference[key]!.hi - ref.upper), key).toBeLessThanOrEqual(tolerance);
      expect(ci.candidate[key]!.lo).toBeLessThanOrEqual(c.statistic()[key]!);
    }
  });

  it('identical models differ by exactly [0, 0]; no baseline gives no differences; 0 resamples gives nothing', () => {
    for (const d of Object.values(intervals(c, c, o).difference)) expect(d).toEqual({ lo: 0, hi: 0 });
    const alone = intervals(c, null, o);
    expect(alone.difference).toEqual({});
    expect(Object.keys(alone.candidate)).toContain('roc_auc');
    expect(intervals(c, b, { ...o, resamples: 0 })).toEqual({ candidate: {}, difference: {} });
  });

  it('a slice is the rows it lists: its intervals are those of the same rows scored alone', () => {
    const rows = Uint32Array.from({ length: 2000 }, (_, i) => i).filter((i) => i % 4 === 0);
    const sub: ScoredData = { ...data, n: rows.length, yText: Array.from(rows, (i) => data.yText[i]!), models: data.models.map((m) => ({ ...m, labels: Array.from(rows, (i) => m.labels![i]!), proba: Float32Array.from(Array.from(rows).flatMap((i) => Array.from(m.proba!.subarray(i * 3, i * 3 + 3)))) })) };
    const [sc, sb] = sub.models.map((m) => prepareModelScores('multiclass', sub, m, ['fog', 'rain', 'sun'])) as [typeof c, typeof b];
    expect(intervals(c, b, o, rows)).toEqual(intervals(sc, sb, o));
  });
});
