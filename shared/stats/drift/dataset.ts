/**
 * The dataset verdict from the columns' results: drift share and three levels. Pure.
 *
 * - `drift`: the share of drifted columns among the tested ones is >= driftShare (Evidently's
 *   dataset drift, default 0.5);
 * - `warn`: some column drifted but fewer than driftShare, or a column could not be tested
 *   (no reference or no current values), or nothing could be tested at all;
 * - `ok`: every column was tested and none drifted.
 */
import type { ColumnDrift } from './column.js';

export const DEFAULT_DRIFT_SHARE = 0.5;

export interface DatasetDrift {
  status: 'ok' | 'warn' | 'drift';
  /** Drifted / tested columns (0 when none was tested). */
  driftShare: number;
  driftShareThreshold: number;
  drifted: string[];
  untested: string[];
  tested: number;
  reason: string;
  /** Columns by severity: drifted first, then untested, then the rest; within each, the value furthest past its threshold first. */
  columns: ColumnDrift[];
}

export function datasetDrift(columns: readonly ColumnDrift[], driftShareThreshold = DEFAULT_DRIFT_SHARE): DatasetDrift {
  const tested = columns.filter((c) => c.status === 'tested');
  const drifted = tested.filter((c) => c.drifted).map((c) => c.column);
  const untested = columns.filter((c) => c.status !== 'tested').map((c) => c.column);
  const driftShare = tested.length === 0 ? 0 : drifted.length / tested.length;
  const share = `${drifted.length} of ${tested.length} tested columns drifted`;
  let status: DatasetDrift['status'];
  let reason: string;
  if (tested.length > 0 && driftShare >= driftShareThreshold) {
    status = 'drift';
    reason = `${share} (share ${round(driftShare)} >= ${driftShareThreshold})`;
  } else if (drifted.length > 0) {
    status = 'warn';
    reason = `${share} (share ${round(driftShare)} < ${driftShareThreshold})`;
  } else if (untested.length > 0 || tested.length === 0) {
    status = 'warn';
    reason = tested.length === 0 ? 'no column could be tested (no reference or no current values)' : `${untested.length} column(s) could not be tested: ${untested.join(', ')}`;
  } else {
    status = 'ok';
    reason = `${share}`;
  }
  return { status, driftShare, driftShareThreshold, drifted, untested, tested: tested.length, reason, columns: [...columns].sort(bySeverity) };
}

function round(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

function rank(c: ColumnDrift): number {
  return c.drifted ? 0 : c.status !== 'tested' ? 1 : 2;
}

/** How far past (or short of) its threshold a column is: > 1 means past it. */
export function severity(c: ColumnDrift): number {
  if (c.value === null || c.threshold === null) return 0;
  if (c.valueKind === 'distance') return c.threshold > 0 ? c.value / c.threshold : Infinity;
  return c.value > 0 ? c.threshold / c.value : Infinity;
}

function bySeverity(a: ColumnDrift, b: ColumnDrift): number {
  return rank(a) - rank(b) || severity(b) - severity(a) || a.column.localeCompare(b.column);
}
