/**
 * Prediction drift: the distribution of the model's predictions in the current data (a column,
 * `prediction` by default, as the model server's prediction log names it) against the
 * reference predictions: the profile evaluate-gate writes of the candidate's predictions on its
 * evaluation data, or any profile or data holding that column. Compared on the profiles, with
 * the test chosen as for any column (class counts: chisquare / jensenshannon; values: ks /
 * wasserstein on the fixed edges).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ColumnProfile, Profile } from '../data/profile.js';
import type { DataSource } from '../data/source.js';
import { digestData } from '../data/source.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { columnDrift, type ColumnDrift } from '../stats/drift/column.js';
import { type CompareOptions, requestFor } from './compare.js';
import { profileData } from './data.js';
import { profileEvidence } from './evidence.js';
import { columnNames, columnOf, valueType } from './profile-fields.js';
import { loadReference, type Reference } from './reference.js';

export const PREDICTION_COLUMN = 'prediction';

export interface PredictionDrift {
  /** The prediction column's name. */
  column: string;
  /** Where the reference predictions came from. */
  reference: string[];
  result: ColumnDrift;
}

/** A profile.json (`"kind": "mlops/profile"`) is read as one; anything else is data, profiled. */
function isProfileFile(spec: string, workspace: string): boolean {
  const file = path.resolve(workspace, spec.trim());
  if (!file.endsWith('.json') || !fs.existsSync(file) || !fs.statSync(file).isFile()) return false;
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: unknown } | null)?.kind === 'mlops/profile';
  } catch {
    return false;
  }
}

/** The reference predictions: the `reference-predictions` input (a profile or data), else the reference profile's column. */
export async function referencePredictions(spec: string | undefined, column: string, reference: Reference, ctx: Context): Promise<{ profile: ColumnProfile; files: string[] } | null> {
  if (!spec) {
    const c = columnOf(reference.profile, column);
    return c ? { profile: c, files: reference.files } : null;
  }
  const input = 'reference-predictions';
  const loaded = isProfileFile(spec, ctx.workspace) ? loadReference(spec, ctx.workspace, input) : await profileAsReference(spec, input, ctx);
  const c = columnOf(loaded.profile, column);
  if (!c) throw new UserError(`the reference predictions have no column '${column}'`, { where: { input }, fix: `columns there: ${columnNames(loaded.profile).join(', ')}; name the prediction column with \`prediction-column\`` });
  return { profile: c, files: loaded.files };
}

async function profileAsReference(spec: string, input: string, ctx: Context): Promise<Reference> {
  const profile = await ctx.log.group('Profiling the reference predictions', () => profileData(spec, input, ctx));
  return { profile, files: profile.source.files.map((f) => f.path) };
}

const isText = (c: ColumnProfile) => ['text', 'boolean'].includes(valueType(c));

/**
 * Compare the current predictions with the reference ones. Classes written as text on one side
 * and as numbers on the other (a class id 1 and the label "1") are compared as classes.
 */
export function predictionDrift(column: string, reference: { profile: ColumnProfile; files: string[] }, current: ColumnProfile, o: CompareOptions): PredictionDrift {
  const asText = (c: ColumnProfile): ColumnProfile => (isText(c) ? c : { ...c, type: 'VARCHAR', kind: 'categorical', numeric: undefined });
  const mixed = isText(reference.profile) !== isText(current);
  const [r, c] = mixed ? [asText(reference.profile), asText(current)] : [reference.profile, current];
  const e = profileEvidence(column, r, c);
  if ('skip' in e) throw new UserError(`the prediction column '${column}' cannot be compared: ${e.skip}`, { where: { input: 'prediction-column' } });
  const result = columnDrift(column, e.evidence, requestFor(column, o));
  return { column, reference: reference.files, result: e.note ? { ...result, notes: [e.note, ...result.notes] } : result };
}

/**
 * The profile of a model's predictions (one column, `prediction`), for drift-check's prediction
 * drift: class counts for a classifier, the fixed-edge sketch for a regressor, written exactly
 * as validate-data profiles a column. `source`: the data the predictions were made on.
 */
export async function profilePredictions(values: readonly (string | number)[], source: DataSource, ctx: Context): Promise<Profile> {
  const dir = fs.mkdtempSync(path.join(ctx.tempDir, 'mlops-predictions-'));
  try {
    const file = path.join(dir, 'predictions.jsonl');
    const fd = fs.openSync(file, 'w');
    try {
      const chunk = 10_000;
      for (let i = 0; i < values.length; i += chunk) {
        fs.writeSync(fd, values.slice(i, i + chunk).map((v) => `{"${PREDICTION_COLUMN}":${JSON.stringify(typeof v === 'number' && !Number.isFinite(v) ? null : v)}}\n`).join(''));
      }
    } finally {
      fs.closeSync(fd);
    }
    const profile = await profileData(file, 'predictions', ctx);
    const digest = await digestData(source);
    return { ...profile, source: { format: source.format, digest: digest.digest, files: digest.files } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
