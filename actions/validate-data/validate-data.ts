import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { renderSummary, annotationsFor } from './render.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { displayPath, writeFileAtomic } from '../../shared/runtime/files.js';
import { planChecks, type CheckResult } from '../../shared/data/checks.js';
import { openEngine } from '../../shared/data/engine.js';
import { inferSchema } from '../../shared/data/infer.js';
import { computeProfile, type Profile, scanProfile } from '../../shared/data/profile.js';
import { DUCKDB_TYPE, loadSchema } from '../../shared/data/schema.js';
import { digestData, resolveData } from '../../shared/data/source.js';
import { openTable } from '../../shared/data/table.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface ValidationReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  kind: 'mlops/validate-data-report';
  passed: boolean;
  failOn: Inputs['fail-on'];
  rows: number;
  dataDigest: string;
  schema: string | null;
  profile: string;
  results: CheckResult[];
}

export async function validateData(i: Inputs, ctx: Context): Promise<ActionResult> {
  const ws = ctx.workspace;
  const source = await resolveData(i.data, ws);
  const schema = i.schema ? loadSchema(path.resolve(ws, i.schema), displayPath(ws, path.resolve(ws, i.schema))) : undefined;
  const digestPromise = digestData(source);
  const engine = await openEngine({ log: ctx.log, tempDir: ctx.tempDir });
  try {
    const declared: Record<string, string> = {};
    for (const [name, rules] of Object.entries(schema?.schema.columns ?? {})) if (rules.type) declared[name] = DUCKDB_TYPE[rules.type];
    const table = await openTable(engine, source, declared);
    const plan = await planChecks(schema, table, engine);
    const agg = await ctx.log.group(`Scanning ${source.files.length} ${source.format} file(s)`, async () => {
      try {
        return await scanProfile(engine, table, Object.entries(plan.aggregates).map(([alias, sql]) => ({ aggregates: { [alias]: sql } })));
      } catch (e) {
        throw await table.asUserError(e);
      }
    });
    const digest = await digestPromise;
    const profile: Profile = await computeProfile(engine, table, agg, { format: source.format, digest: digest.digest, files: digest.files });
    const results = await plan.finish(agg, profile, engine, table);

    const profilePath = path.resolve(ws, i.profile);
    writeFileAtomic(profilePath, `${JSON.stringify(profile, null, 2)}\n`, { input: 'profile' });
    if (i['infer-schema']) writeFileAtomic(path.resolve(ws, i['infer-schema']), inferSchema(profile, source.files.map((f) => f.path).join(', ')), { input: 'infer-schema' });

    const failed = results.filter((r) => !r.passed);
    const errors = failed.filter((r) => r.severity === 'error');
    const passed = errors.length === 0;
    const report: ValidationReport = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      kind: 'mlops/validate-data-report',
      passed,
      failOn: i['fail-on'],
      rows: profile.rows,
      dataDigest: digest.digest,
      schema: schema?.file ?? null,
      profile: displayPath(ws, profilePath),
      results,
    };
    const reportPath = path.resolve(ws, i.report);
    writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`, { input: 'report' });

    const stepFails = i['fail-on'] === 'never' ? false : i['fail-on'] === 'warning' ? failed.length > 0 : errors.length > 0;
    return {
      outputs: {
        passed: String(passed),
        rows: String(profile.rows),
        'failed-checks': String(failed.length),
        profile: displayPath(ws, profilePath),
        report: displayPath(ws, reportPath),
        'data-digest': digest.digest,
      },
      summary: renderSummary(report, profile, source.files.map((f) => f.path)),
      annotations: annotationsFor(failed, schema?.file),
      failure: stepFails ? `${failed.length} check(s) failed (${errors.length} error(s)): ${failed.map((r) => r.id).join(', ')}` : undefined,
    };
  } finally {
    engine.close();
  }
}

export const action = defineAction({ id: 'validate-data', actionYml, inputs, run: validateData });
