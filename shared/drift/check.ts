/**
 * drift-check's operation: the reference (a profile, shard profiles merged, or the profile
 * recorded with a model), the current side (data files or the prediction log profiled on the
 * same fixed edges, the server's bin counters in Prometheus, or both sides' raw values when the
 * reference data is given); each feature's test; prediction drift and performance
 * (monitoring.ts); the dataset verdict; the versioned report.
 */
import type { Context } from '../runtime/context.js';
import type { Profile } from '../data/profile.js';
import { UserError } from '../runtime/errors.js';
import { compare, type CompareOptions, selectColumns, type SkippedColumn } from './compare.js';
import { profileData, readColumns } from './data.js';
import { type CurrentData, profileEvidence, rawColumnEvidence } from './evidence.js';
import { columnNames, columnOf } from './profile-fields.js';
import { forFeatures, monitor, type MonitorOptions, monitorsPerformance, roleColumns, skippedRoles } from './monitoring.js';
import { profilePredictionLog } from './prediction-log.js';
import { type PrometheusSource, prometheusCounts } from './prometheus-source.js';
import { resolveReference } from './reference.js';
import { driftReport, type DriftReport } from './report.js';

export interface DriftCheckRequest extends CompareOptions {
  /** Profile file, directory of shard profiles, or a model reference whose manifest names its profile. */
  reference: string;
  /** Data files (file, glob, directory; one per line), or `prometheus`. */
  current: string;
  /** Raw reference data files, for Evidently's exact raw-value statistics. */
  referenceData?: string;
  /** How `current` files are read: data (CSV, TSV, Parquet, JSON) or the model server's prediction log. */
  currentFormat?: 'data' | 'prediction-log';
  /** `current: prometheus`: where and what to read. */
  prometheus?: PrometheusSource;
  /** Prediction drift and performance (monitoring.ts). */
  monitor: MonitorOptions;
  /** For models in GitHub Releases (`reference`, `baseline-metrics`). */
  githubToken?: string;
}

/** The `current` value that reads the model server's bin counters from Prometheus. */
export const PROMETHEUS = 'prometheus';

export async function checkDrift(req: DriftCheckRequest, ctx: Context): Promise<DriftReport> {
  const reference = await resolveReference(req.reference, ctx, 'reference', req.githubToken);
  // The predictions, the clock, labels and ids are not features.
  const roles = roleColumns(req.monitor);
  const features = columnNames(reference.profile).filter((c) => !roles.has(c));
  const roleSkips = skippedRoles(columnNames(reference.profile), roles);
  const fromFiles = req.current !== PROMETHEUS && req.currentFormat !== 'prediction-log';
  if (monitorsPerformance(req.monitor) && !fromFiles) {
    throw new UserError('performance monitoring reads the predictions with their ids and times from data files', {
      where: { input: 'labels' },
      fix: 'give `current` the predictions as data files (CSV, Parquet, JSON Lines with the prediction, id and time columns), or leave `labels` and `performance-rules` empty',
    });
  }
  if (req.referenceData) {
    if (!fromFiles) throw new UserError('reference-data compares raw values: it needs current data files', { where: { input: 'reference-data' }, fix: 'leave reference-data empty to compare on the reference profile\'s fixed bins' });
    let profiled: Promise<Profile> | undefined;
    const currentProfile = () => (profiled ??= ctx.log.group('Profiling the current data', () => profileData(req.current, 'current', ctx)));
    const featureReport = await checkRaw({ ...req, ...forFeatures(req, req.monitor) }, reference.files, features, roleSkips, ctx);
    return monitor(featureReport, { ...req.monitor, githubToken: req.githubToken }, req, reference, currentProfile, req.current, ctx);
  }
  const current = await currentData(req, reference.profile, ctx);
  const o = forFeatures(req, req.monitor);
  const { compared, skipped } = selectColumns(features, current.columns.filter((c) => !roles.has(c)), o);
  const result = compare(compared, [...roleSkips, ...skipped], o, (name) => current.evidence(name, columnOf(reference.profile, name)!));
  const featureReport = driftReport(result, 'fixed bins', { profile: reference.files, data: null }, current.data);
  const profile = current.profile;
  if (!profile) {
    // Prometheus holds the features' bins, not the predictions: a prediction column stays skipped.
    if (req.monitor.referencePredictions) throw new UserError('prediction drift reads the predictions from data files or the prediction log, not Prometheus', { where: { input: 'reference-predictions' }, fix: 'give `current` the prediction log, or leave reference-predictions empty' });
    return featureReport;
  }
  return monitor(featureReport, { ...req.monitor, githubToken: req.githubToken }, req, reference, () => Promise.resolve(profile), req.current, ctx);
}

/** The current side: Prometheus's bin counters, or data files / the prediction log profiled on the same fixed edges. */
async function currentData(req: DriftCheckRequest, reference: Profile, ctx: Context): Promise<CurrentData & { profile: Profile | null }> {
  if (req.prometheus && req.current !== PROMETHEUS) throw new UserError('prometheus is set but current is not `prometheus`', { where: { input: 'current' }, fix: 'set `current: prometheus` to read the bin counters, or leave `prometheus` empty to read the files' });
  if (req.current === PROMETHEUS) {
    if (!req.prometheus) throw new UserError('current: prometheus needs the Prometheus URL', { where: { input: 'prometheus' }, fix: 'set `prometheus:` to its base URL, e.g. http://prometheus.monitoring:9090' });
    const source = req.prometheus;
    const counts = await ctx.log.group('Reading the bin counters from Prometheus', () => prometheusCounts(reference, source, ctx));
    return { ...counts, profile: null };
  }
  const profile = await ctx.log.group('Profiling the current data', () =>
    req.currentFormat === 'prediction-log' ? profilePredictionLog(req.current, 'current', ctx) : profileData(req.current, 'current', ctx),
  );
  return {
    data: { files: profile.source.files.map((f) => f.path), rows: profile.rows, digest: profile.source.digest },
    columns: columnNames(profile),
    evidence: (name, ref) => profileEvidence(name, ref, columnOf(profile, name)!),
    profile,
  };
}

async function checkRaw(req: DriftCheckRequest, profileFiles: string[], profileColumns: string[], roleSkips: SkippedColumn[], ctx: Context): Promise<DriftReport> {
  const wanted = req.columns.length ? req.columns : profileColumns;
  const ref = await ctx.log.group('Reading the reference data', () => readColumns(req.referenceData!, 'reference-data', wanted, ctx));
  const cur = await ctx.log.group('Reading the current data', () => readColumns(req.current, 'current', wanted, ctx));
  const { compared, skipped } = selectColumns(ref.columns.map((c) => c.name), cur.columns.map((c) => c.name), req);
  skipped.unshift(...roleSkips);
  // A profile column the raw reference data lacks is said, not dropped (named columns are checked above).
  for (const name of wanted) if (!ref.columns.some((c) => c.name === name)) skipped.push({ column: name, reason: 'not in the reference data' });
  const typeOf = (side: typeof ref, name: string) => side.columns.find((c) => c.name === name)!.type;
  const result = compare(compared, skipped, req, (name) => rawColumnEvidence(name, [typeOf(ref, name), typeOf(cur, name)], ref.values.get(name)!, cur.values.get(name)!));
  const data = (d: typeof ref) => ({ files: d.files, rows: d.rows, digest: d.digest });
  return driftReport(result, 'raw values', { profile: profileFiles, data: data(ref) }, data(cur));
}
