import { describe, expect, it } from 'vitest';
import { failedGates, monitorPerformance, parsePerformanceRules, parseWindow } from '../../shared/drift/performance.js';
import { prepareClassification } from '../../shared/stats/classification.js';
import { regressionMetrics } from '../../shared/stats/regression.js';

const T0 = Date.parse('2026-05-01T00:00:00Z') / 1000;

describe('performance monitoring (pure)', () => {
  it.each([
    ['30m', 1800],
    ['6h', 21_600],
    ['1d', 86_400],
    ['7d', 604_800],
    ['', null],
  ])('window %s is %s seconds', (text, seconds) => expect(parseWindow(text)).toBe(seconds));

  it.each(['1w', '0d', '1.5h', 'daily', '-1d'])('window %s is a UserError', (text) => expect(() => parseWindow(text)).toThrow(/is not a window length/));

  it('regression: rmse per 6-hour window, gated against the baseline; the decayed window fails with its numbers', () => {
    // Window 1: errors of +-1; window 2: errors of +-3.
    const rows = Array.from({ length: 40 }, (_, i) => {
      const late = i >= 20;
      const label = 10 + (i % 7);
      return { time: T0 + (late ? 6 * 3600 : 0) + i * 60, label, prediction: label + (i % 2 ? 1 : -1) * (late ? 3 : 1) };
    });
    const p = monitorPerformance({ task: 'regression', rows, window: 6 * 3600, windowText: '6h', rules: parsePerformanceRules('rmse <= baseline * 1.5\nr2 >= 0'), baseline: { source: 'metrics.json', metrics: { rmse: 1.2, r2: 0.8 } } });
    expect(p.windows.map((w) => [w.start, w.end, w.rows])).toEqual([
      ['2026-05-01T00:00Z', '2026-05-01T06:00Z', 20],
      ['2026-05-01T06:00Z', '2026-05-01T12:00Z', 20],
    ]);
    const expected = regressionMetrics(Float64Array.from(rows.slice(20), (r) => r.label), Float64Array.from(rows.slice(20), (r) => r.prediction));
    expect(p.windows[1]!.metrics).toEqual(expected);
    expect(p.windows[0]!.metrics.rmse).toBe(1);
    expect(p.passed).toBe(false);
    expect(failedGates(p)).toEqual(['window 2026-05-01T06:00Z: rmse <= baseline * 1.5: 3 > 1.8 (baseline 1.2 * 1.5)', expect.stringMatching(/^window 2026-05-01T06:00Z: r2 >= 0: -\d\.\d+ < 0$/)]);
    expect(p.overall.rows).toBe(40);
  });

  it('classification: the metrics equal evaluate-gate\'s (prepareClassification.scalars), class labels compared as text', () => {
    const rows = [1, 1, 0, 0, 1, 0, 1, 1].map((prediction, i) => ({ time: null, prediction, label: ['1', '0', '0', '0', '1', '1', '1', '1'][i]! }));
    const p = monitorPerformance({ task: 'classification', rows, window: null, windowText: null, rules: parsePerformanceRules('accuracy >= 0.7\nf1.macro >= 0.5'), baseline: null });
    expect(p.windows).toEqual([]);
    expect(p.overall.metrics).toEqual(prepareClassification({ yTrue: rows.map((r) => r.label), yPred: rows.map((r) => String(r.prediction)) }).scalars());
    expect(p.overall.metrics.accuracy).toBe(0.75);
    expect(p.passed).toBe(true);
  });

  it('rules with a slice or significant, and baseline rules without a baseline, are UserErrors', () => {
    expect(() => parsePerformanceRules('accuracy[season=winter] >= 0.5')).toThrow(/line 1: slices are not available in performance rules/);
    const rows = [{ time: null, prediction: 'a', label: 'a' }];
    expect(() => monitorPerformance({ task: 'classification', rows, window: null, windowText: null, rules: parsePerformanceRules('accuracy >= baseline - 0.05'), baseline: null })).toThrow(/no baseline metrics were given/);
  });
});
