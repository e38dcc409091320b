/**
 * drift-check's operation: the reference (a profile, or shard profiles merged), the current
 * data profiled on the same fixed edges, or both sides' raw values when the reference data is
 * given; each column's test; the dataset verdict; the versioned report.
 */
import type { Context } from '../runtime/context.js';
import { compare, type CompareOptions, selectColumns } from './compare.js';
import { profileData, readColumns } from './data.js';
import { profileEvidence, rawColumnEvidence } from './evidence.js';
import { columnNames, columnOf } from './profile-fields.js';
import { loadReference } from './reference.js';
import { driftReport, type DriftReport } from './report.js';

export interface DriftCheckRequest extends CompareOptions {
  /** Profile file or directory of shard profiles. */
  reference: string;
  /** Data files (file, glob, directory; one per line). */
  current: string;
  /** Raw reference data files, for Evidently's exact raw-value statistics. */
  referenceData?: string;
}

export async function checkDrift(req: DriftCheckRequest, ctx: Context): Promise<DriftReport> {
  const reference = loadReference(req.reference, ctx.workspace);
  if (req.referenceData) return checkRaw(req, reference.files, columnNames(reference.profile), ctx);
  const current = await ctx.log.group('Profiling the current data', () => profileData(req.current, 'current', ctx));
  const { compared, skipped } = selectColumns(columnNames(reference.profile), columnNames(current), req);
  const result = compare(compared, skipped, req, (name) => profileEvidence(name, columnOf(reference.profile, name)!, columnOf(current, name)!));
  return driftReport(result, 'fixed bins', { profile: reference.files, data: null }, { files: current.source.files.map((f) => f.path), rows: current.rows, digest: current.source.digest });
}

async function checkRaw(req: DriftCheckRequest, profileFiles: string[], profileColumns: string[], ctx: Context): Promise<DriftReport> {
  const wanted = req.columns.length ? req.columns : profileColumns;
  const ref = await ctx.log.group('Reading the reference data', () => readColumns(req.referenceData!, 'reference-data', wanted, ctx));
  const cur = await ctx.log.group('Reading the current data', () => readColumns(req.current, 'current', wanted, ctx));
  const { compared, skipped } = selectColumns(ref.columns.map((c) => c.name), cur.columns.map((c) => c.name), req);
  // A profile column the raw reference data lacks is said, not dropped (named columns are checked above).
  for (const name of wanted) if (!ref.columns.some((c) => c.name === name)) skipped.push({ column: name, reason: 'not in the reference data' });
  const typeOf = (side: typeof ref, name: string) => side.columns.find((c) => c.name === name)!.type;
  const result = compare(compared, skipped, req, (name) => rawColumnEvidence(name, [typeOf(ref, name), typeOf(cur, name)], ref.values.get(name)!, cur.values.get(name)!));
  const data = (d: typeof ref) => ({ files: d.files, rows: d.rows, digest: d.digest });
  return driftReport(result, 'raw values', { profile: profileFiles, data: data(ref) }, data(cur));
}
