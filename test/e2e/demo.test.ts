// `npm run demo` (scripts/demo.sh) as a new user runs it, in a fresh copy of the example project:
// the whole loop once (validate, train, gate, image, serve a year of traffic, drift from the
// prediction log, the issue and the dispatch as files, retrain, gate), a report that makes sense
// (slices that are not the label, reasons for undefined metrics, no baseline chart without a
// baseline), the story of what happened, and what to do next.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCheckout, type DemoRun, runDemo } from '../harness/demo.js';

describe('scripts/demo.sh', () => {
  let dir: string;
  let out: DemoRun;
  beforeAll(() => {
    dir = demoCheckout();
    out = runDemo(dir);
  }, 600_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs every step once and ends telling the user what to do next', () => {
    expect(out.status, out.stderr.slice(-3000)).toBe(0);
    const all = `${out.stdout}\n${out.stderr}`;
    // Each gate's report is printed once (by the command), not again cut from report.md: the
    // first model's gate and the retrained one's.
    expect(all.match(/evaluate-gate passed/g)).toHaveLength(2);
    expect(all).not.toMatch(/Internal error/);
    expect(out.stdout.trim().split('\n').slice(-8).join('\n')).toMatch(/==> what next[\s\S]*workflows-examples\/use-pull-request\.yml[\s\S]*use-release\.yml[\s\S]*use-monitor\.yml/);
    expect(out.stdout).toMatch(/==> what happened\n[\s\S]*the server answered 365 days of 2015 traffic[\s\S]*drift-check read that log against the training profile: drift \(temp_max, temp_min drifted\)[\s\S]*the retrain published weather 2 and its gate passed/);
  });

  it('serves a year of traffic, finds the drift in the prediction log, files the issue and the dispatch, retrains and gates', () => {
    const demo = path.join(dir, '.mlops/demo');
    expect(fs.readFileSync(path.join(demo, 'predictions.jsonl'), 'utf8').trim().split('\n')).toHaveLength(365);
    const drift = JSON.parse(fs.readFileSync(path.join(demo, 'drift-production.json'), 'utf8'));
    expect(drift).toMatchObject({ status: 'drift', drifted: ['temp_max', 'temp_min'], current: { rows: 365 } });
    expect(fs.readFileSync(path.join(demo, 'issue.md'), 'utf8')).toMatch(/^# Data drift: weather \(drift\)\n/);
    expect(JSON.parse(fs.readFileSync(path.join(demo, 'dispatch.json'), 'utf8'))).toMatchObject({ workflow: 'retrain.yml', inputs: { reason: 'drift-check: drift', drifted: 'temp_max,temp_min' } });
    expect(JSON.parse(fs.readFileSync(path.join(demo, 'retrain-outputs.json'), 'utf8'))).toMatchObject({ version: '2' });
    expect(JSON.parse(fs.readFileSync(path.join(demo, 'retrain-gate-outputs.json'), 'utf8'))).toMatchObject({ passed: 'true' });
    // No cluster without --cluster (test/e2e/demo-cluster.test.ts runs that).
    expect(fs.existsSync(path.join(demo, 'deploy-outputs.json'))).toBe(false);
    expect(out.stdout).not.toContain('deploy-k8s');
  });

  it('checks the 2015 hold-out for drift against the reference profile', () => {
    const report = JSON.parse(fs.readFileSync(path.join(dir, '.mlops/demo/drift-report.json'), 'utf8'));
    expect(report).toMatchObject({ kind: 'mlops/drift-report', basis: 'fixed bins', status: 'drift', drifted: ['temp_max', 'weather', 'temp_min'] });
    expect(out.stderr).toMatch(/drift-check: drift: 3 of 5 tested columns drifted/);
  });

  it('slices by season, not by the label, and explains the undefined roc_auc', () => {
    const report = JSON.parse(fs.readFileSync(path.join(dir, '.mlops/demo/evaluate-gate/report.json'), 'utf8'));
    expect(report.slices.map((s: { slice: string }) => s.slice).sort()).toEqual(['season=autumn', 'season=spring', 'season=summer', 'season=winter']);
    expect(report.metrics.find((m: { name: string }) => m.name === 'roc_auc').why).toMatch(/class "snow" never occurs in the evaluation data/);
    const md = fs.readFileSync(path.join(dir, '.mlops/demo/evaluate-gate/report.md'), 'utf8');
    expect(md).toContain('title "candidate (no baseline yet)"');
    expect(md).not.toMatch(/vs baseline \(line\)/);
    // The documented names: the gate on f1.macro was decided (first model: by policy).
    expect(report.gates.map((g: { rule: string }) => g.rule)).toContain('f1.macro >= baseline - 0.02');
    expect(report.gates.every((g: { passed: boolean }) => g.passed)).toBe(true);
  });
});
