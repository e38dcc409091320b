import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { checkDrift } from '../../shared/drift/check.js';
import { parseTests, parseThresholds } from '../../shared/drift/compare.js';
import { driftAnnotations, renderDriftReport } from '../../shared/drift/render.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { displayPath, writeFileAtomic } from '../../shared/runtime/files.js';

export async function driftCheck(i: Inputs, ctx: Context): Promise<ActionResult> {
  const report = await checkDrift(
    {
      reference: i.reference,
      current: i.current,
      referenceData: i['reference-data'],
      columns: i.columns,
      tests: parseTests(i.stattest),
      thresholds: parseThresholds(i['stattest-threshold']),
      driftShare: i['drift-share'],
    },
    ctx,
  );
  const markdown = renderDriftReport(report);
  const jsonPath = path.resolve(ctx.workspace, i.report);
  const mdPath = path.resolve(ctx.workspace, i['report-md']);
  writeFileAtomic(jsonPath, `${JSON.stringify(report, null, 2)}\n`, { input: 'report' });
  writeFileAtomic(mdPath, `${markdown}\n`, { input: 'report-md' });
  const fails = i['fail-on'] === 'drift' ? report.status === 'drift' : i['fail-on'] === 'warn' ? report.status !== 'ok' : false;
  return {
    outputs: {
      status: report.status,
      drifted: String(report.status === 'drift'),
      'drift-share': String(report.driftShare),
      'drifted-columns': JSON.stringify(report.drifted),
      report: displayPath(ctx.workspace, jsonPath),
      'report-md': displayPath(ctx.workspace, mdPath),
    },
    summary: markdown,
    annotations: driftAnnotations(report),
    failure: fails ? `drift-check: ${report.status} (${report.reason}); fail-on: ${i['fail-on']}` : undefined,
  };
}

export const action = defineAction({ id: 'drift-check', actionYml, inputs, run: driftCheck });
