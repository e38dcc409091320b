import fs from 'node:fs';
import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { checkLabels, classLabels, intervals, latencyMetrics, type MetricTable, prepareModelScores, undefinedReasons } from '../../shared/model/evaluation.js';
import { openEngine } from '../../shared/data/engine.js';
import type { Profile } from '../../shared/data/profile.js';
import { profilePredictions } from '../../shared/drift/predictions.js';
import { resolveData } from '../../shared/data/source.js';
import { openTable, asUserError } from '../../shared/data/table.js';
import { evaluateRules } from '../../shared/gate/evaluate.js';
import { parseRules } from '../../shared/gate/parse.js';
import { gateCommentKey, type GateReport, gateReportSchema, renderGateReport, REPORT_SCHEMA_VERSION } from '../../shared/gate/report.js';
import { formatRule, metricKey, sliceKey } from '../../shared/gate/rule.js';
import { githubRepo } from '../../shared/github/client.js';
import { pullRequestContext } from '../../shared/github/pull-request.js';
import { upsertStickyComment } from '../../shared/github/sticky-comment.js';
import { gitInfo } from '../../shared/lineage/git.js';
import { prepareModel, scoreAll, type Task } from '../../shared/model/score.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { UserError } from '../../shared/runtime/errors.js';
import { displayPath, requireUserFile, sha256File, writeFileAtomic } from '../../shared/runtime/files.js';
import { openStore, resolveModel, type StoreCredentials } from '../../shared/store/open.js';
import { type ModelReference, parseReference, parseTarget, type StoreTarget } from '../../shared/store/reference.js';
import { mcnemar } from '../../shared/stats/mcnemar.js';

interface Loaded {
  reference: string;
  version: string | null;
  file: string;
  digest: string;
  name: string | null;
}

async function load(ref: ModelReference, text: string, ctx: Context, creds: StoreCredentials): Promise<Loaded> {
  if (ref.kind === 'path') {
    const file = path.resolve(ctx.workspace, ref.path);
    const origin = { input: text === 'champion' ? 'baseline' : 'model', display: ref.path };
    requireUserFile(file, origin);
    return { reference: displayPath(ctx.workspace, file), version: null, file, digest: `sha256:${await sha256File(file, origin)}`, name: null };
  }
  const r = await resolveModel(ref, ctx, creds);
  return { reference: r.reference, version: r.version, file: r.modelPath, digest: r.manifest.model.digest, name: r.manifest.name };
}

function storeOf(ref: ModelReference): StoreTarget | null {
  if (ref.kind === 'local') return { kind: 'local', name: ref.name };
  if (ref.kind === 'release') return { kind: 'release', name: ref.name };
  if (ref.kind === 'oci') return { kind: 'oci', registry: ref.registry, repository: ref.repository };
  return null;
}

function championOf(store: StoreTarget): ModelReference {
  if (store.kind === 'oci') return { kind: 'oci', registry: store.registry, repository: store.repository, tag: 'champion' };
  return { kind: store.kind, name: store.name, tag: 'champion' };
}

export async function evaluateGate(i: Inputs, ctx: Context): Promise<ActionResult> {
  const creds: StoreCredentials = { githubToken: i['github-token'] };
  const rules = parseRules(i.gates);
  const candidateRef = parseReference(i.model, 'model');
  const store = i.store ? parseTarget(i.store, 'store') : storeOf(candidateRef);
  const candidate = await ctx.log.group(`Resolving the candidate ${i.model}`, () => load(candidateRef, i.model, ctx, creds));

  let baseline: Loaded | null = null;
  if (i.baseline !== 'none') {
    const ref = i.baseline ? parseReference(i.baseline, 'baseline') : store ? championOf(store) : null;
    if (ref) {
      try {
        baseline = await ctx.log.group(`Resolving the baseline ${i.baseline ?? 'champion'}`, () => load(ref, i.baseline ?? 'champion', ctx, creds));
      } catch (e) {
        // No champion yet is the first model, not an error; an explicit baseline must exist.
        if (!(e instanceof UserError && !i.baseline && /not found/.test(e.message))) throw e;
        ctx.log.info('No champion in the store yet: this is the first model.');
      }
    }
  }
  if (baseline && baseline.digest === candidate.digest) ctx.log.info('The baseline is the candidate itself (same digest).');

  const pr = pullRequestContext(ctx.env);
  const source = await resolveData(i.data, ctx.workspace);
  const engine = await openEngine({ log: ctx.log, tempDir: ctx.tempDir });
  let report: GateReport;
  let candidateMetrics: MetricTable;
  let baselineMetrics: MetricTable | null;
  let predictions: Profile;
  try {
    const table = await openTable(engine, source);
    if (!table.columns.some((c) => c.name === i.label)) throw new UserError(`the data has no column "${i.label}"`, { where: { input: 'label' }, fix: `columns: ${table.columns.map((c) => c.name).join(', ')}` });
    for (const s of i.slices) if (!table.columns.some((c) => c.name === s)) throw new UserError(`the data has no slice column "${s}"`, { where: { input: 'slices' }, fix: `columns: ${table.columns.map((c) => c.name).join(', ')}` });
    if (i.slices.includes(i.label)) {
      throw new UserError(`slicing by the label column "${i.label}" keeps one class per slice, so its accuracy is that class's recall and its macro scores are meaningless`, {
        where: { input: 'slices' },
        fix: 'slice by a column that is not the label (a segment, a region, a season); per-class scores are in the report\'s "Per class" table and gateable as f1.class.<class>',
      });
    }
    const roles = { slices: i.slices, features: i.features };
    const models = [await prepareModel('candidate', candidate.file, candidate.reference, table.columns, i.label, ctx.log, roles)];
    if (baseline) models.push(await prepareModel('baseline', baseline.file, baseline.reference, table.columns, i.label, ctx.log, roles));
    const data = await ctx.log.group(`Scoring ${models.length} model(s)`, async () => {
      try {
        return await scoreAll(engine, models, i.label, i.slices, { batchSize: i['batch-size'], latencySample: 200, progress: ctx.log.progress });
      } catch (e) {
        throw await asUserError(e, source);
      }
    });
    await table.assertReadFully(data.n);
    const [cand, base] = data.models;
    const task: Task =
      i.task !== 'auto' ? i.task : models[0]!.output.kind === 'regressor' ? 'regression' : new Set([...data.yText, ...(cand!.classes ?? [])]).size <= 2 ? 'binary' : 'multiclass';
    if (task === 'regression' && models[0]!.output.kind !== 'regressor') throw new UserError('task is regression but the candidate is a classifier', { where: { input: 'task' } });
    if (task !== 'regression' && models[0]!.output.kind === 'regressor') throw new UserError(`task is ${task} but the candidate is a regressor`, { where: { input: 'task' } });
    checkLabels(task, data, i.label);
    const labels = task === 'regression' ? [] : classLabels(data, data.models);
    // The candidate's prediction distribution, drift-check's reference for prediction drift.
    predictions = await ctx.log.group('Profiling the candidate\'s predictions', () => profilePredictions(task === 'regression' ? Array.from(cand!.values!) : cand!.labels!, source, ctx));
    const candPrepared = prepareModelScores(task, data, cand!, labels);
    const basePrepared = base ? prepareModelScores(task, data, base, labels) : null;
    const candEval = candPrepared.evaluate();
    const baseEval = basePrepared ? basePrepared.evaluate() : null;
    candidateMetrics = { ...candEval.metrics, ...latencyMetrics(cand!) };
    baselineMetrics = baseEval ? { ...baseEval.metrics, ...latencyMetrics(base!) } : null;

    const o = { resamples: i.resamples, seed: i.seed, confidence: i.confidence };
    const candStat = candPrepared.statistic;
    const baseStat = basePrepared ? basePrepared.statistic : null;
    const ci = await ctx.log.group(`Confidence intervals (${i.resamples} paired resamples of the count table)`, async () => intervals(candPrepared, basePrepared, o));

    // Why an undefined metric is undefined, for the gate reasons and the report.
    const why = (metrics: MetricTable | null, m: typeof cand, yTrue: readonly string[], what: string) => (metrics && m ? undefinedReasons(metrics, { yTrue, classes: m.classes, what }) : {});
    const undefinedWhy: Record<string, string> = { ...why(baselineMetrics, base, data.yText, 'the evaluation data'), ...why(candidateMetrics, cand, data.yText, 'the evaluation data') };

    // Per slice: metrics and CIs on that slice's rows.
    const sliceSets: Record<string, { candidate: MetricTable; baseline: MetricTable | null }> = {};
    const sliceRows: Record<string, number> = {};
    for (const column of i.slices) {
      const values = data.slices[column]!;
      const groups = new Map<string, number[]>();
      values.forEach((v, r) => (groups.get(v) ?? groups.set(v, []).get(v)!).push(r));
      for (const [value, rows] of groups) {
        const key = sliceKey({ column, value });
        const idx = Uint32Array.from(rows);
        sliceSets[key] = { candidate: candStat(idx), baseline: baseStat ? baseStat(idx) : null };
        sliceRows[key] = rows.length;
        const yTrue = rows.map((r) => data.yText[r]!);
        const notes = { ...why(sliceSets[key].baseline, base, yTrue, `slice ${key}`), ...why(sliceSets[key].candidate, cand, yTrue, `slice ${key}`) };
        for (const [m, note] of Object.entries(notes)) undefinedWhy[`${m}[${key}]`] = note;
        const sci = intervals(candPrepared, basePrepared, o, idx);
        for (const [m, v] of Object.entries(sci.candidate)) ci.candidate[`${m}[${key}]`] = v;
        for (const [m, v] of Object.entries(sci.difference)) ci.difference[`${m}[${key}]`] = v;
      }
    }
    const results = evaluateRules(rules, { candidate: candidateMetrics, baseline: baselineMetrics, slices: sliceSets, differences: ci.difference, intervals: ci.candidate, undefinedWhy }, { firstModel: i['first-model'] });

    const shown = (name: string) => i.metrics.length === 0 || i.metrics.includes(name) || rules.some((r) => r.metric === name);
    // Per-class metrics have their own table.
    const names = Object.keys(candidateMetrics).filter((k) => !k.includes('.class.') && shown(k));
    const git = gitInfo(ctx.env, ctx.workspace, pr?.headSha);
    report = gateReportSchema.parse({
      schemaVersion: REPORT_SCHEMA_VERSION,
      kind: 'mlops/evaluate-gate-report',
      passed: results.every((r) => r.passed),
      task,
      rows: data.n,
      candidate: { name: candidate.name, reference: candidate.reference, version: candidate.version, digest: candidate.digest },
      baseline: baseline ? { reference: baseline.reference, version: baseline.version, digest: baseline.digest } : null,
      commit: git.sha,
      pullRequest: pr?.number ?? null,
      confidence: i.confidence,
      resamples: i.resamples,
      metrics: names.map((name) => ({
        name,
        candidate: finite(candidateMetrics[name]),
        baseline: finite(baselineMetrics?.[name]),
        candidateCi: ci.candidate[name] ?? null,
        differenceCi: ci.difference[name] ?? null,
        ...(undefinedWhy[name] ? { why: undefinedWhy[name] } : {}),
      })),
      gates: results.map((r) => ({ rule: formatRule(r.rule), metric: r.rule.slice ? metricKey(r.rule) : r.rule.metric, passed: r.passed, reason: r.reason })),
      classes: candEval.classes.map((c) => ({ label: c.label, support: c.support, precision: finite(c.precision), recall: finite(c.recall), f1: finite(c.f1), baselineF1: finite(baseEval?.classes.find((b) => b.label === c.label)?.f1) })),
      slices: Object.entries(sliceSets).map(([slice, s]) => ({ slice, rows: sliceRows[slice]!, candidate: finiteAll(s.candidate), baseline: s.baseline ? finiteAll(s.baseline) : null })),
      confusion: candEval.confusion,
      latency: data.models.map((m) => {
        const l = latencyMetrics(m);
        return { model: m.role as 'candidate' | 'baseline', rowP50: finite(l.latency_p50_ms), rowP95: finite(l.latency_p95_ms), rowP99: finite(l.latency_p99_ms), batchP50: finite(l.batch_latency_p50_ms), batchP95: finite(l.batch_latency_p95_ms), batchP99: finite(l.batch_latency_p99_ms), batchSize: i['batch-size'] };
      }),
      mcnemar: task !== 'regression' && base ? pick(mcnemar(cand!.labels!.map((p, r) => p === data.yText[r]), base.labels!.map((p, r) => p === data.yText[r]))) : null,
    });
  } finally {
    engine.close();
  }

  const markdown = renderGateReport(report);
  const dir = path.resolve(ctx.workspace, i['report-dir']);
  writeFileAtomic(path.join(dir, 'report.md'), `${markdown}\n`, { input: 'report-dir' });
  writeFileAtomic(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`, { input: 'report-dir' });
  writeFileAtomic(path.join(dir, 'predictions.json'), `${JSON.stringify(predictions, null, 2)}\n`, { input: 'report-dir' });

  let commentUrl = '';
  const wantComment = i.comment === 'always' || (i.comment === 'auto' && !!pr);
  if (wantComment && !pr) ctx.log.warn('comment: always, but this run is not about a pull request: no comment written');
  else if (wantComment && pr?.fromFork) {
    ctx.log.warn(`pull request #${pr.number} comes from a fork, whose token cannot comment: upload ${displayPath(ctx.workspace, dir)}/report.json as an artifact and comment from a workflow_run workflow (docs/pull-request-reports.md)`);
  } else if (wantComment && pr) {
    const key = gateCommentKey(ctx.env.GITHUB_WORKFLOW ?? 'workflow', candidate.name);
    const result = await ctx.log.group(`Commenting on #${pr.number}`, () => upsertStickyComment(githubRepo(ctx.env, i['github-token'] || ctx.env.GITHUB_TOKEN), pr.number, key, markdown));
    commentUrl = result.url;
  }

  if (i.promote && report.passed) {
    if (pr) ctx.log.info('promote: skipped on a pull request (the champion moves only after merge)');
    else if (!store || !candidate.version) throw new UserError('promote needs the candidate as a stored version (local:, release: or oci:// reference with a version)', { where: { input: 'model' } });
    else {
      await openStore(store, ctx, creds).setAlias('champion', candidate.version);
      ctx.log.info(`The champion of ${i.store ?? i.model} is now version ${candidate.version}.`);
    }
  }

  const failedGates = report.gates.filter((g) => !g.passed);
  return {
    outputs: {
      passed: String(report.passed),
      metrics: JSON.stringify(candidateMetrics),
      'baseline-metrics': baselineMetrics ? JSON.stringify(baselineMetrics) : '',
      report: displayPath(ctx.workspace, path.join(dir, 'report.md')),
      'report-json': displayPath(ctx.workspace, path.join(dir, 'report.json')),
      'comment-url': commentUrl,
      predictions: displayPath(ctx.workspace, path.join(dir, 'predictions.json')),
    },
    summary: markdown,
    annotations: failedGates.map((g) => ({ level: 'error' as const, title: `gate: ${g.rule}`, message: g.reason })),
    failure: report.passed ? undefined : `${failedGates.length} of ${report.gates.length} gate(s) failed: ${failedGates.map((g) => g.rule).join('; ')}`,
  };
}

function finite(v: number | undefined | null): number | null {
  return v === undefined || v === null || !Number.isFinite(v) ? null : v;
}

function finiteAll(m: MetricTable): MetricTable {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => Number.isFinite(v)));
}

function pick(r: { b: number; c: number; pValue: number; method: 'exact' | 'chi2' }) {
  return { b: r.b, c: r.c, pValue: r.pValue, method: r.method };
}

export const action = defineAction({ id: 'evaluate-gate', actionYml, inputs, run: evaluateGate });
