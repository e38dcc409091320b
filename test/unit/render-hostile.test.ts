import { describe, expect, it } from 'vitest';
import { type GateReport, renderGateReport } from '../../shared/gate/report.js';
import { renderSummary as renderTrain } from '../../actions/train/render.js';
import { toTerminal } from '../../shared/report/terminal.js';

/** Values a pull request, a dataset or a command's output can carry into a report. */
const spoof = 'sun\u202Enur\u200B\u2066x\u2069';
const huge = 'W'.repeat(100_000);
const INVISIBLE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

function expectShownPlainly(out: string): void {
  expect(out).not.toMatch(INVISIBLE);
  expect(out).not.toContain('W'.repeat(1000));
  expect(out).toContain('u202E');
}

describe('renderers show hostile values plainly (report/text.ts through the builder)', () => {
  it('the evaluate-gate report (summary, sticky comment, pr-report)', () => {
    const report: GateReport = {
      schemaVersion: 1,
      kind: 'mlops/evaluate-gate-report',
      passed: false,
      task: 'multiclass',
      rows: 10,
      candidate: { name: 'm', reference: `local:m@${spoof}`, version: '1', digest: 'sha256:00' },
      baseline: null,
      commit: null,
      pullRequest: null,
      confidence: 0.95,
      resamples: 10,
      metrics: [{ name: 'accuracy', candidate: 0.5, baseline: null, candidateCi: null, differenceCi: null }],
      gates: [{ rule: `accuracy[w=${spoof}] >= 0.9`, metric: 'accuracy', passed: false, reason: `no rows where w = ${huge.slice(0, 1990)}` }],
      classes: [{ label: spoof, support: 5, precision: 1, recall: 1, f1: 1, baselineF1: null }, { label: huge.slice(0, 200), support: 5, precision: 0, recall: 0, f1: 0, baselineF1: null }],
      slices: [{ slice: `w=${spoof}`, rows: 5, candidate: { accuracy: 1 }, baseline: null }],
      confusion: null,
      latency: [],
      mcnemar: null,
    };
    const md = renderGateReport(report);
    expect(md).not.toMatch(INVISIBLE);
    expect(md).toContain('u202E');
    expect(md.length).toBeLessThan(20_000);
    expect(toTerminal(md)).not.toMatch(INVISIBLE);
  });

  it('the train summary, with the failing command output', () => {
    const md = renderTrain({ kind: 'failed', why: 'exited with code 1', command: `python train.py ${spoof}`, tail: [`Traceback ${spoof}`, huge, '```', '</details>'] });
    expectShownPlainly(md);
    expectShownPlainly(toTerminal(md));
  });
});
