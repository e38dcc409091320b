import type { CheckResult, Sample } from '../../shared/data/checks.js';
import type { ColumnProfile, Profile } from '../../shared/data/profile.js';
import type { Annotation } from '../../shared/runtime/context.js';
import { type Cell, code, details, formatNumber, heading, join, md, Md, table } from '../../shared/report/markdown.js';
import { plainValue, VALUE_LIMIT } from '../../shared/report/text.js';
import type { ValidationReport } from './validate-data.js';

const SAMPLES_SHOWN = 3;

function sampleText(s: Sample): string {
  return plainValue(typeof s.value === 'object' && s.value !== null ? JSON.stringify(s.value) : String(s.value), VALUE_LIMIT);
}

function where(s: Sample | undefined): string {
  if (!s) return '';
  return s.line !== undefined ? `${s.file}:${s.line}` : `${s.file} row ${s.row}`;
}

function percent(p: number | null): string {
  return p === null ? '' : `${formatNumber(p)}%`;
}

function observed(r: CheckResult): Cell {
  if (r.message) return r.message;
  if (r.observed !== undefined) return typeof r.observed === 'number' ? r.observed : String(r.observed);
  return r.partial_unexpected_list.length ? r.partial_unexpected_list.slice(0, SAMPLES_SHOWN).map(sampleText).join(', ') : '';
}

function checksTable(results: CheckResult[]): Md {
  return table(
    ['Check', 'Expected', 'Severity', 'Unexpected', '%', 'Found', 'First at'],
    results.map((r) => [
      code(r.id),
      r.expectation + (r.mostly !== undefined ? ` (mostly ${r.mostly})` : ''),
      r.severity,
      r.unexpected_count,
      percent(r.unexpected_percent),
      observed(r),
      where(r.partial_unexpected_list[0]),
    ]),
    ['l', 'l', 'l', 'r', 'r', 'l', 'l'],
  );
}

function summarizeColumn(c: ColumnProfile): Cell[] {
  const n = c.numeric;
  const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '' : c.kind === 'datetime' ? '' : formatNumber(v));
  const top = c.values?.counts.slice(0, 3).map(([v, k]) => `${plainValue(String(v), VALUE_LIMIT)} (${k})`).join(', ') ?? '';
  return [
    code(c.name),
    `${c.kind} (${c.type})`,
    c.nulls,
    `${c.distinct.exact ? '' : '~'}${c.distinct.value}`,
    c.range ? plainValue(c.range.min ?? '', VALUE_LIMIT) : fmt(n?.min),
    fmt(n?.mean),
    fmt(n?.quantiles.p50),
    c.range ? plainValue(c.range.max ?? '', VALUE_LIMIT) : fmt(n?.max),
    top,
  ];
}

export function renderSummary(report: ValidationReport, profile: Profile, files: string[]): string {
  const failed = report.results.filter((r) => !r.passed);
  const errors = failed.filter((r) => r.severity === 'error').length;
  const verdict = report.passed
    ? md`### ✅ validate-data passed: ${profile.rows} rows, ${report.results.length} checks, ${failed.length} warnings`
    : md`### ❌ validate-data failed: ${errors} of ${report.results.length} checks failed on ${profile.rows} rows`;
  const fileList = files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;
  return join([
    verdict,
    md`Data ${fileList} (${code(report.dataDigest.slice(0, 19))}), schema ${report.schema ?? 'none (profile only)'}, profile ${code(report.profile)}.`,
    failed.length ? join([heading(4, 'Failed checks'), checksTable(failed)]) : null,
    report.results.length ? details(`All ${report.results.length} checks`, checksTable(report.results)) : null,
    details(
      `Profile: ${profile.columns.length} columns`,
      table(['Column', 'Kind', 'Nulls', 'Distinct', 'Min', 'Mean', 'Median', 'Max', 'Top values'], profile.columns.map(summarizeColumn), ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
    ),
  ]).text;
}

/** One annotation per failed check, at the first offending row (the runner caps them). */
export function annotationsFor(failed: CheckResult[], schemaFile: string | undefined): Annotation[] {
  return failed.map((r) => {
    const first = r.partial_unexpected_list[0];
    const what = r.message ?? `${r.unexpected_count} unexpected value(s)${r.observed !== undefined ? ` (found ${String(r.observed)})` : ''}`;
    const sample = first ? `; first: ${sampleText(first)} at row ${first.row}` : '';
    const message = `${r.id}: expected ${r.expectation}; ${what}${sample}`;
    const level = r.severity === 'error' ? 'error' : 'warning';
    if (first) return { level, title: `validate-data: ${r.id}`, message, file: first.file, line: first.line };
    return { level, title: `validate-data: ${r.id}`, message, file: schemaFile, line: schemaFile ? r.schema_line : undefined };
  });
}
