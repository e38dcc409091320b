import { describe, expect, it } from 'vitest';
import { renderDriftReport, driftAnnotations } from '../../shared/drift/render.js';
import { driftReportSchema, type DriftReport } from '../../shared/drift/report.js';
import { columnDrift } from '../../shared/stats/drift/column.js';
import { binnedEvidence } from '../../shared/stats/drift/binned.js';

const hostile = '<img src=x onerror=alert(1)>|`x`*@a';

function report(): DriftReport {
  const prediction = columnDrift(hostile, binnedEvidence(hostile, { kind: 'categorical', reference: [['sun', 70], [hostile, 30]], current: [['sun', 30], [hostile, 70]] }));
  const window = (start: string | null) => ({ start, end: start, rows: 5, metrics: { accuracy: 0.4 }, gates: [{ rule: 'accuracy >= 0.5', passed: false, reason: `0.4 < 0.5 ${hostile}` }] });
  return driftReportSchema.parse({
    schemaVersion: 1, kind: 'mlops/drift-report', status: 'drift', reason: 'r', driftShare: 0, driftShareThreshold: 0.5, drifted: [hostile], untested: [], tested: 0, basis: 'fixed bins',
    reference: { profile: [hostile], data: null }, current: { files: [hostile], rows: 10, digest: 'sha256:00' }, columns: [], skipped: [],
    predictions: { column: hostile, reference: [hostile], result: prediction },
    performance: {
      task: 'classification', window: '1d', labels: { files: [hostile], column: hostile, predictions: 10, labelled: 5, unlabelled: 5, unmatched: 0 },
      baseline: { source: hostile, metrics: { accuracy: 0.9 } }, rules: ['accuracy >= 0.5'], passed: false, windows: [window(hostile)], overall: window(null),
    },
  });
}

describe('the prediction drift and performance sections', () => {
  it('escape every value from the data, and annotate the drifted predictions and each failed window', () => {
    const r = report();
    expect(r.predictions!.result.drifted).toBe(true);
    const out = renderDriftReport(r);
    expect(out).toContain('#### Prediction drift');
    expect(out).toContain('#### Performance: a rule failed');
    expect(out).not.toContain('<img');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;\\|\\`x\\`\\*&#64;a');
    // Every row of a table has its header's columns: no value adds a cell.
    const cells = (line: string) => line.match(/(?<!\\)\|/g)!.length;
    const tables = out.split('\n\n').filter((b) => b.startsWith('| '));
    expect(tables).toHaveLength(2);
    for (const t of tables) for (const line of t.split('\n')) expect(cells(line)).toBe(cells(t.split('\n')[0]!));
    expect(driftAnnotations(r).map((a) => a.title)).toEqual([`drift-check: predictions ${hostile} drifted`, `drift-check: performance rule failed (${hostile})`]);
  });
});
