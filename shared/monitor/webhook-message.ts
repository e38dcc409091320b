/**
 * What a drift webhook says, before any chat format: the verdict, what changed since the last
 * run (when the drift issue knows it), the drifted columns and links to the run and the issue.
 * The generic JSON format is this object itself (versioned, zod schema), so a receiver can parse
 * it like any other report of the suite.
 */
import { z } from 'zod';
import type { DriftReport } from '../drift/report.js';

export const DRIFT_ALERT_SCHEMA_VERSION = 1;
/** Columns listed in a message (the rest are counted): chat messages have size limits. */
export const LISTED_COLUMNS = 10;

const text = z.string().max(5000);

export const driftAlertSchema = z
  .object({
    schemaVersion: z.literal(DRIFT_ALERT_SCHEMA_VERSION),
    kind: z.literal('mlops/drift-alert'),
    model: text,
    status: z.enum(['ok', 'warn', 'drift']),
    /** From the drift issue: `started` (opened), `continues` (updated), `recovered` (closed); null without `issue: true`. */
    change: z.enum(['started', 'continues', 'recovered']).nullable(),
    reason: text,
    driftShare: z.number(),
    driftShareThreshold: z.number(),
    tested: z.number().int().nonnegative(),
    /** Drifted columns, most severe first (all of them; the chat formats list LISTED_COLUMNS). */
    drifted: z.array(
      z
        .object({ column: text, test: text, statistic: text, value: z.number(), condition: text, effect: z.object({ name: text, value: z.number() }).strict().nullable() })
        .strict(),
    ),
    basis: z.enum(['raw values', 'fixed bins']),
    run: z.string().url().nullable(),
    issue: z.string().url().nullable(),
  })
  .strict();
export type DriftAlert = z.infer<typeof driftAlertSchema>;

export function driftAlert(report: DriftReport, o: { model: string; change: DriftAlert['change']; run: string | undefined; issue: string | undefined }): DriftAlert {
  return driftAlertSchema.parse({
    schemaVersion: DRIFT_ALERT_SCHEMA_VERSION,
    kind: 'mlops/drift-alert',
    model: o.model,
    status: report.status,
    change: o.change,
    reason: report.reason,
    driftShare: report.driftShare,
    driftShareThreshold: report.driftShareThreshold,
    tested: report.tested,
    drifted: report.columns
      .filter((c) => c.drifted && c.value !== null)
      .map((c) => ({ column: c.column, test: c.test!, statistic: c.statistic ?? c.test!, value: c.value!, condition: c.condition ?? '', effect: c.effect })),
    basis: report.basis,
    run: o.run ?? null,
    issue: o.issue ?? null,
  });
}

/** The one-line headline every format starts with, plain text (each format escapes it). */
export function headline(a: DriftAlert): string {
  const what = a.change === 'recovered' ? 'recovered, no drift now' : a.change === 'continues' ? `${a.status}, continues` : a.status;
  return `drift-check: ${a.model}: ${what}`;
}
