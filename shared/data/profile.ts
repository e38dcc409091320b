import { z } from 'zod';
import * as sketch from '../stats/sketch.js';
import { type Engine, quoteIdent } from './engine.js';
import { digestOf } from '../lineage/digest.js';
import type { Column, Table } from './table.js';
import { alignValues, commonType } from './profile-types.js';
import { VIEW } from './table.js';

export const PROFILE_SCHEMA_VERSION = 1;
/** Columns with at most this many distinct values keep every value's count (merge exactly). */
export const VALUES_LIMIT = 1000;
/** Otherwise the most frequent values are kept, the rest summed as `other`. */
export const TOP_VALUES = 100;
export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

const sketchSchema = z.object({ zeros: z.number().int(), positive: z.record(z.string(), z.number().int()), negative: z.record(z.string(), z.number().int()) });

const columnSchema = z.object({
  name: z.string(),
  /** The engine's type (DuckDB): BIGINT, DOUBLE, VARCHAR, BOOLEAN, DATE, TIMESTAMP... */
  type: z.string(),
  kind: z.enum(['numeric', 'datetime', 'boolean', 'categorical', 'text']),
  /** Non-null values. */
  count: z.number().int(),
  nulls: z.number().int(),
  distinct: z.object({ value: z.number().int(), exact: z.boolean() }),
  /** numeric and datetime (epoch seconds) columns. */
  numeric: z
    .object({
      min: z.number().nullable(),
      max: z.number().nullable(),
      /** Finite values the moments and sketch cover. */
      finite: z.number().int(),
      mean: z.number().nullable(),
      /** Sum of squared deviations from the mean (Chan et al.: merges exactly). */
      m2: z.number(),
      variance: z.number().nullable(),
      nan: z.number().int(),
      posInf: z.number().int(),
      negInf: z.number().int(),
      quantiles: z.record(z.string(), z.number().nullable()),
      /** Fixed-edge histogram: see shared/stats/sketch.ts. */
      sketch: sketchSchema,
    })
    .optional(),
  /** datetime columns: min and max as ISO text. */
  range: z.object({ min: z.string().nullable(), max: z.string().nullable() }).optional(),
  /** text columns: character lengths. */
  length: z.object({ min: z.number().nullable(), max: z.number().nullable(), mean: z.number().nullable() }).optional(),
  /** Value counts, most frequent first. complete: every distinct value is here (other = 0). */
  values: z.object({ counts: z.array(z.tuple([z.string(), z.number().int()])), complete: z.boolean(), other: z.number().int() }).optional(),
});

export const profileSchema = z.object({
  schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
  kind: z.literal('mlops/profile'),
  rows: z.number().int(),
  source: z.object({
    format: z.string(),
    digest: z.string(),
    files: z.array(z.object({ path: z.string(), sha256: z.string() })),
  }),
  sketch: z.object({ kind: z.literal('ddsketch'), relativeAccuracy: z.number() }),
  columns: z.array(columnSchema),
});
export type Profile = z.infer<typeof profileSchema>;
export type ColumnProfile = z.infer<typeof columnSchema>;
export type Kind = ColumnProfile['kind'];

export function kindOf(type: string): 'numeric' | 'datetime' | 'boolean' | 'text' {
  const t = type.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL)/.test(t)) return 'numeric';
  if (/^(DATE|TIMESTAMP)/.test(t)) return 'datetime';
  if (t === 'BOOLEAN') return 'boolean';
  return 'text';
}

/** The column as a DOUBLE for moments and the sketch (datetimes as epoch seconds). */
function asNumber(c: Column): string {
  const q = quoteIdent(c.name);
  return kindOf(c.type) === 'datetime' ? `CAST(epoch(${q}) AS DOUBLE)` : `CAST(${q} AS DOUBLE)`;
}

/** Text form of a value, the key in value counts. */
export function asText(c: Column): string {
  return `CAST(${quoteIdent(c.name)} AS VARCHAR)`;
}

/**
 * SQL aggregate expressions (alias -> expression) for the whole profile of every column; they
 * run in the same single scan as the row-level checks.
 */
export function profileAggregates(columns: Column[]): Record<string, string> {
  const out: Record<string, string> = { rows: 'count(*)' };
  columns.forEach((c, i) => {
    const q = quoteIdent(c.name);
    const p = `p${i}_`;
    const kind = kindOf(c.type);
    out[`${p}count`] = `count(${q})`;
    out[`${p}distinct`] = `approx_count_distinct(${q})`;
    if (kind === 'numeric' || kind === 'datetime') {
      const x = asNumber(c);
      const fin = `isfinite(${x})`;
      out[`${p}min`] = `min(${x})`;
      out[`${p}max`] = `max(${x})`;
      out[`${p}finite`] = `count(*) FILTER (WHERE ${fin})`;
      out[`${p}mean`] = `avg(${x}) FILTER (WHERE ${fin})`;
      out[`${p}var`] = `var_pop(${x}) FILTER (WHERE ${fin})`;
      out[`${p}nan`] = `count(*) FILTER (WHERE isnan(${x}))`;
      out[`${p}posinf`] = `count(*) FILTER (WHERE ${x} = 'Infinity'::DOUBLE)`;
      out[`${p}neginf`] = `count(*) FILTER (WHERE ${x} = '-Infinity'::DOUBLE)`;
      out[`${p}zeros`] = `count(*) FILTER (WHERE abs(${x}) < ${sketch.MIN_INDEXABLE})`;
      // CASE, not FILTER: the argument must never see a value ln() rejects. histogram skips NULL.
      out[`${p}pos`] = `to_json(histogram(CASE WHEN ${fin} AND ${x} >= ${sketch.MIN_INDEXABLE} THEN ${sketch.bucketIndexSql(x)} END))::VARCHAR`;
      out[`${p}neg`] = `to_json(histogram(CASE WHEN ${fin} AND ${x} <= -${sketch.MIN_INDEXABLE} THEN ${sketch.bucketIndexSql(`-${x}`)} END))::VARCHAR`;
      if (kind === 'datetime') {
        out[`${p}tmin`] = `CAST(min(${q}) AS VARCHAR)`;
        out[`${p}tmax`] = `CAST(max(${q}) AS VARCHAR)`;
      }
    } else if (kind === 'text') {
      const len = `length(${asText(c)})`;
      out[`${p}lmin`] = `min(${len})`;
      out[`${p}lmax`] = `max(${len})`;
      out[`${p}lmean`] = `avg(${len})`;
    }
  });
  return out;
}

function counts(json: unknown): Record<string, number> {
  if (json === null || json === undefined) return {};
  return sketch.sortKeys(JSON.parse(String(json)) as Record<string, number>);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Profile of the table from the aggregate row, plus a value-count pass for low-cardinality columns. */
export async function computeProfile(
  engine: Engine,
  table: Table,
  agg: Record<string, unknown>,
  source: Profile['source'],
): Promise<Profile> {
  const rows = Number(agg.rows);
  const columns: ColumnProfile[] = table.columns.map((c, i) => {
    const p = `p${i}_`;
    const count = Number(agg[`${p}count`]);
    const kind = kindOf(c.type);
    const col: ColumnProfile = {
      name: c.name,
      type: c.type,
      kind: kind === 'text' ? 'text' : kind,
      count,
      nulls: rows - count,
      distinct: { value: Number(agg[`${p}distinct`]), exact: false },
    };
    if (kind === 'numeric' || kind === 'datetime') {
      const finite = Number(agg[`${p}finite`]);
      const variance = num(agg[`${p}var`]);
      col.numeric = finishNumeric({
        min: num(agg[`${p}min`]),
        max: num(agg[`${p}max`]),
        finite,
        mean: num(agg[`${p}mean`]),
        m2: (variance ?? 0) * finite,
        variance,
        nan: Number(agg[`${p}nan`]),
        posInf: Number(agg[`${p}posinf`]),
        negInf: Number(agg[`${p}neginf`]),
        quantiles: {},
        sketch: { zeros: Number(agg[`${p}zeros`]), positive: counts(agg[`${p}pos`]), negative: counts(agg[`${p}neg`]) },
      });
      if (kind === 'datetime') col.range = { min: (agg[`${p}tmin`] as string | null) ?? null, max: (agg[`${p}tmax`] as string | null) ?? null };
    } else if (kind === 'text') {
      col.length = { min: num(agg[`${p}lmin`]), max: num(agg[`${p}lmax`]), mean: num(agg[`${p}lmean`]) };
    }
    return col;
  });
  await addValueCounts(engine, table.columns, columns);
  return { schemaVersion: PROFILE_SCHEMA_VERSION, kind: 'mlops/profile', rows, source, sketch: { kind: 'ddsketch', relativeAccuracy: sketch.RELATIVE_ACCURACY }, columns };
}

function finishNumeric(n: NonNullable<ColumnProfile['numeric']>): NonNullable<ColumnProfile['numeric']> {
  const quantiles: Record<string, number | null> = {};
  for (const q of QUANTILES) quantiles[`p${Math.round(q * 100)}`] = sketch.quantile(n.sketch, q, n.min ?? undefined, n.max ?? undefined);
  return { ...n, variance: n.finite > 0 ? n.m2 / n.finite : null, quantiles };
}

async function addValueCounts(engine: Engine, columns: Column[], profiles: ColumnProfile[]): Promise<void> {
  const small = profiles.map((p, i) => ({ p, c: columns[i]! })).filter(({ p }) => p.kind === 'boolean' || p.distinct.value <= VALUES_LIMIT);
  if (small.length > 0) {
    const select = small.map(({ c }, i) => `to_json(histogram(${asText(c)}))::VARCHAR AS v${i}`).join(', ');
    const [row] = await engine.query(`SELECT ${select} FROM ${VIEW}`);
    small.forEach(({ p }, i) => {
      const all = Object.entries(row![`v${i}`] ? (JSON.parse(String(row![`v${i}`])) as Record<string, number>) : {});
      p.values = { counts: sortCounts(all), complete: true, other: 0 };
      p.distinct = { value: all.length, exact: true };
      if (p.kind === 'text') p.kind = 'categorical';
    });
  }
  for (const [i, p] of profiles.entries()) {
    if (p.values || (p.kind !== 'text' && p.kind !== 'categorical')) continue;
    const t = asText(columns[i]!);
    const top = await engine.query(`SELECT ${t} AS v, count(*) AS n FROM ${VIEW} WHERE ${t} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}`);
    const kept = top.map((r) => [String(r.v), Number(r.n)] as [string, number]);
    p.values = { counts: kept, complete: false, other: p.count - kept.reduce((s, [, n]) => s + n, 0) };
  }
}

/** Most frequent first; ties by value, so the order is stable. */
function sortCounts(entries: [string, number][]): [string, number][] {
  return entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The profile of the union of two datasets from their profiles alone. Counts, value counts of
 * complete columns, min/max, moments (Chan's parallel formula) and the fixed-edge sketch (and
 * so the quantiles) equal those of profiling the union directly. Incomplete top values and
 * approximate distinct counts stay approximate (marked so).
 */
export function mergeProfiles(a: Profile, b: Profile): Profile {
  const names = [...a.columns.map((c) => c.name), ...b.columns.filter((c) => !a.columns.some((x) => x.name === c.name)).map((c) => c.name)];
  const columns = names.map((name) => {
    const x = a.columns.find((c) => c.name === name) ?? absent(b.columns.find((c) => c.name === name)!, a.rows);
    const y = b.columns.find((c) => c.name === name) ?? absent(x, b.rows);
    return mergeColumn(...alignValues(...commonType(x, y)));
  });
  if (a.source.format !== b.source.format) throw new Error(`cannot merge a ${a.source.format} profile with a ${b.source.format} one`);
  const files = [...a.source.files, ...b.source.files].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { ...a, rows: a.rows + b.rows, source: { format: a.source.format, digest: digestOf(files), files }, columns };
}

/** A column a shard does not have: all its rows are nulls there. */
function absent(like: ColumnProfile, rows: number): ColumnProfile {
  return {
    name: like.name,
    type: like.type,
    kind: like.kind,
    count: 0,
    nulls: rows,
    distinct: { value: 0, exact: true },
    values: like.values ? { counts: [], complete: true, other: 0 } : undefined,
    numeric: like.numeric
      ? { min: null, max: null, finite: 0, mean: null, m2: 0, variance: null, nan: 0, posInf: 0, negInf: 0, quantiles: {}, sketch: sketch.emptySketch() }
      : undefined,
    range: like.range ? { min: null, max: null } : undefined,
    length: like.length ? { min: null, max: null, mean: null } : undefined,
  };
}

const minOf = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.min(p, q));
const maxOf = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.max(p, q));
const textMin = (p: string | null, q: string | null) => (p === null ? q : q === null ? p : p < q ? p : q);
const textMax = (p: string | null, q: string | null) => (p === null ? q : q === null ? p : p > q ? p : q);

function mergeColumn(x: ColumnProfile, y: ColumnProfile): ColumnProfile {
  const out: ColumnProfile = { ...x, count: x.count + y.count, nulls: x.nulls + y.nulls };
  if (x.numeric && y.numeric) {
    const a = x.numeric;
    const b = y.numeric;
    const n = a.finite + b.finite;
    let mean: number | null = null;
    let m2 = 0;
    if (n > 0) {
      const ma = a.mean ?? 0;
      const mb = b.mean ?? 0;
      const delta = mb - ma;
      mean = ma + (delta * b.finite) / n;
      m2 = a.m2 + b.m2 + (delta * delta * a.finite * b.finite) / n;
    }
    out.numeric = finishNumeric({
      min: minOf(a.min, b.min),
      max: maxOf(a.max, b.max),
      finite: n,
      mean,
      m2,
      variance: null,
      nan: a.nan + b.nan,
      posInf: a.posInf + b.posInf,
      negInf: a.negInf + b.negInf,
      quantiles: {},
      sketch: sketch.merge(a.sketch, b.sketch),
    });
  }
  if (x.range && y.range) out.range = { min: textMin(x.range.min, y.range.min), max: textMax(x.range.max, y.range.max) };
  if (x.length && y.length) {
    const mean = out.count > 0 ? ((x.length.mean ?? 0) * x.count + (y.length.mean ?? 0) * y.count) / out.count : null;
    out.length = { min: minOf(x.length.min, y.length.min), max: maxOf(x.length.max, y.length.max), mean };
  }
  if (x.values && y.values) {
    const sum = new Map<string, number>(x.values.counts);
    for (const [v, n] of y.values.counts) sum.set(v, (sum.get(v) ?? 0) + n);
    const complete = x.values.complete && y.values.complete;
    let entries = sortCounts([...sum.entries()]);
    if (!complete) entries = entries.slice(0, TOP_VALUES);
    const kept = entries.reduce((s, [, n]) => s + n, 0);
    out.values = { counts: entries, complete, other: out.count - kept };
    if (complete) out.distinct = { value: entries.length, exact: true };
    if (!complete && out.kind === 'categorical') out.kind = 'text';
  }
  if (!out.distinct.exact || !(x.values?.complete && y.values?.complete)) {
    // Approximate: the union has at least as many distinct values as the larger shard.
    out.distinct = { value: Math.max(x.distinct.value, y.distinct.value), exact: false };
  }
  if (out.kind === 'text' && out.values?.complete) out.kind = 'categorical';
  return out;
}
