/**
 * The drift report drift-check writes (versioned JSON, parsed by this schema): the dataset
 * verdict, and per column the test that ran, why, the value, effect size, threshold and the
 * decision, sorted by severity.
 */
import { z } from 'zod';
import { STAT_TEST_NAMES } from '../stats/drift/tests.js';
import type { Comparison } from './compare.js';

export const DRIFT_REPORT_SCHEMA_VERSION = 1;

const text = z.string().max(5000);

const columnSchema = z
  .object({
    column: text,
    kind: z.enum(['numeric', 'categorical']),
    status: z.enum(['tested', 'no-data']),
    basis: z.enum(['raw values', 'fixed bins']),
    test: z.enum(STAT_TEST_NAMES as [string, ...string[]]).nullable(),
    statistic: text.nullable(),
    valueKind: z.enum(['p-value', 'distance']).nullable(),
    value: z.number().nullable(),
    threshold: z.number().nullable(),
    condition: text.nullable(),
    drifted: z.boolean(),
    effect: z.object({ name: text, value: z.number() }).strict().nullable(),
    reason: text,
    referenceCount: z.number().int().nonnegative(),
    currentCount: z.number().int().nonnegative(),
    newCategories: z.array(text),
    notes: z.array(text),
  })
  .strict();

const dataSchema = z.object({ files: z.array(text), rows: z.number().int().nonnegative(), digest: text }).strict();

/** Prediction drift: the prediction column against the reference predictions (docs/drift.md). */
const predictionsSchema = z.object({ column: text, reference: z.array(text), result: columnSchema }).strict();

const gateSchema = z.object({ rule: text, passed: z.boolean(), reason: text }).strict();
const windowSchema = z
  .object({ start: text.nullable(), end: text.nullable(), rows: z.number().int().nonnegative(), metrics: z.record(text, z.number().nullable()), gates: z.array(gateSchema) })
  .strict();

/** Performance monitoring: metrics per window on the labelled predictions, gated (docs/drift.md). */
const performanceSchema = z
  .object({
    task: z.enum(['classification', 'regression']),
    window: text.nullable(),
    labels: z.object({ files: z.array(text), column: text, predictions: z.number().int().nonnegative(), labelled: z.number().int().nonnegative(), unlabelled: z.number().int().nonnegative(), unmatched: z.number().int().nonnegative() }).strict(),
    baseline: z.object({ source: text, metrics: z.record(text, z.number()) }).strict().nullable(),
    rules: z.array(text),
    passed: z.boolean(),
    windows: z.array(windowSchema),
    overall: windowSchema,
  })
  .strict();

export const driftReportSchema = z
  .object({
    schemaVersion: z.literal(DRIFT_REPORT_SCHEMA_VERSION),
    kind: z.literal('mlops/drift-report'),
    status: z.enum(['ok', 'warn', 'drift']),
    reason: text,
    driftShare: z.number().min(0).max(1),
    driftShareThreshold: z.number().min(0).max(1),
    /** Drifted columns, most severe first. */
    drifted: z.array(text),
    untested: z.array(text),
    tested: z.number().int().nonnegative(),
    /** 'fixed bins': the current data profiled on the reference profile's edges; 'raw values': reference-data given (Evidently's numbers). */
    basis: z.enum(['raw values', 'fixed bins']),
    reference: z.object({ profile: z.array(text), data: dataSchema.nullable() }).strict(),
    current: dataSchema,
    columns: z.array(columnSchema),
    skipped: z.array(z.object({ column: text, reason: text }).strict()),
    /** Present when predictions were compared / labels were given. */
    predictions: predictionsSchema.optional(),
    performance: performanceSchema.optional(),
  })
  .strict();
export type DriftReport = z.infer<typeof driftReportSchema>;

export function driftReport(c: Comparison, basis: DriftReport['basis'], reference: DriftReport['reference'], current: DriftReport['current']): DriftReport {
  const d = c.dataset;
  return driftReportSchema.parse({
    schemaVersion: DRIFT_REPORT_SCHEMA_VERSION,
    kind: 'mlops/drift-report',
    status: d.status,
    reason: d.reason,
    driftShare: d.driftShare,
    driftShareThreshold: d.driftShareThreshold,
    // Most severe first, as the columns.
    drifted: d.columns.filter((c) => c.drifted).map((c) => c.column),
    untested: d.columns.filter((c) => c.status !== 'tested').map((c) => c.column),
    tested: d.tested,
    basis,
    reference,
    current,
    columns: d.columns,
    skipped: c.skipped,
  });
}
