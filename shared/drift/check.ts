/**
 * drift-check's operation: the reference (a profile, or shard profiles merged), the current
 * data profiled on the same fixed edges, or both sides' raw values when the reference data is
 * given; each column's test; the dataset verdict; the versioned report.
 */
import type { Context } from '../runtime/context.js';
import type { Profile } from '../data/profile.js';
import { compare, type CompareOptions, selectColumns, type SkippedColumn } from './compare.js';
import { profileData, readColumns } from './data.js';
import { profileEvidence, rawColumnEvidence } from './evidence.js';
import { columnNames, columnOf } from './profile-fields.js';
import { forFeatures, monitor, type MonitorOptions, roleColumns, skippedRoles } from './monitoring.js';
import { loadReference, type Reference } from './reference.js';
import { driftReport, type DriftReport } from './report.js';

export interface DriftCheckRequest extends CompareOptions {
  /** Profile file or directory of shard profiles. */
  reference: string;
  /** Data files (file, glob, directory; one per line). */
  current: string;
  /** Raw reference data files, for Evidently's exact raw-value statistics. */
  referenceData?: string;
  /** Prediction drift and performance (monitoring.ts). */
  monitor: MonitorOptions;
}

export async function checkDrift(req: DriftCheckRequest, ctx: Context): Promise<DriftReport> {
  const reference = loadReference(req.reference, ctx.workspace);
  // The predictions, the clock, labels and ids are not features.
  const roles = roleColumns(req.monitor);
  const features = columnNames(reference.profile).filter((c) => !roles.has(c));
  const roleSkips = skippedRoles(columnNames(reference.profile), roles);
  let profiled: Promise<Profile> | undefined;
  const currentProfile = () => (profiled ??= ctx.log.group('Profiling the current data', () => profileData(req.current, 'current', ctx)));
  const featureReport = req.referenceData ? await checkRaw({ ...req, ...forFeatures(req, req.monitor) }, reference.files, features, roleSkips, ctx) : await checkProfiles(req, reference, features, roleSkips, currentProfile);
  return monitor(featureReport, req.monitor, req, reference, currentProfile, req.current, ctx);
}

async function checkProfiles(req: DriftCheckRequest, reference: Reference, features: string[], roleSkips: SkippedColumn[], currentProfile: () => Promise<Profile>): Promise<DriftReport> {
  const current = await currentProfile();
  const roles = roleColumns(req.monitor);
  const o = forFeatures(req, req.monitor);
  const { compared, skipped } = selectColumns(features, columnNames(current).filter((c) => !roles.has(c)), o);
  const result = compare(compared, [...roleSkips, ...skipped], o, (name) => profileEvidence(name, columnOf(reference.profile, name)!, columnOf(current, name)!));
  return driftReport(result, 'fixed bins', { profile: reference.files, data: null }, { files: current.source.files.map((f) => f.path), rows: current.rows, digest: current.source.digest });
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
