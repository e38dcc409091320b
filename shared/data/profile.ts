import zlib from 'node:zlib';
import * as hll from '../stats/hll.js';
import * as sketch from '../stats/sketch.js';
import { UserError } from '../runtime/errors.js';
import { type Engine, quoteIdent } from './engine.js';
import { digestOf } from '../lineage/digest.js';
import { type AggregateGroup, aggregateRow, packQueries, scanAggregates, sourceOf } from './scan.js';
import type { Column, Table } from './table.js';
import { alignValues, commonType } from './profile-types.js';
import { type ColumnProfile, INTEGER_TYPE, kindOf, type Profile, PROFILE_SCHEMA_VERSION } from './profile-schema.js';

export { type ColumnProfile, INTEGER_TYPE, type Kind, kindOf, parseProfile, type Profile, PROFILE_SCHEMA_VERSION, profileSchema } from './profile-schema.js';

/** Columns with at most this many distinct values keep every value's count (merge exactly). */
export const VALUES_LIMIT = 1000;
/** Otherwise the most frequent values are kept, the rest summed as `other`. */
export const TOP_VALUES = 100;
export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
/**
 * Value counts are taken when the scan's quick estimate (DuckDB's approx_count_distinct, off by
 * up to 40%) is below this, so no column with at most VALUES_LIMIT values is missed.
 */
const VALUES_PASS_LIMIT = 2 * VALUES_LIMIT;
/**
 * Integers in [-INTEGER_WINDOW, INTEGER_WINDOW) are counted exactly in the scan (a histogram of
 * at most 2 * INTEGER_WINDOW keys, bounded whatever the data): their value counts, sketch buckets
 * and distinct-count registers come from those counts, so no value in it is hashed, bucketed
 * (ln) or counted again in a pass of its own. Values outside go the general way.
 */
export const INTEGER_WINDOW = 8192;

/** The column as a DOUBLE for moments and the sketch (datetimes as epoch seconds). */
function asNumber(c: Column): string {
  const q = quoteIdent(c.name);
  return kindOf(c.type) === 'datetime' ? `CAST(epoch(${q}) AS DOUBLE)` : `CAST(${q} AS DOUBLE)`;
}

/** Text form of a value, the key in value counts. */
export function asText(c: Column): string {
  return `CAST(${quoteIdent(c.name)} AS VARCHAR)`;
}

const when = (cond: string, value: string) => `CASE WHEN ${cond} THEN ${value} END`;
const countWhere = (cond: string) => `count(${when(cond, '1')})`;
const histogramOf = (expr: string) => `to_json(histogram(${expr}))::VARCHAR`;

/**
 * The one scan that profiles a table (plus any `extra` aggregates, e.g. validate-data's checks),
 * with the row count it read checked against what the files hold. The row feeds computeProfile.
 */
export async function scanProfile(engine: Engine, table: Table, extra: AggregateGroup[] = []): Promise<Record<string, unknown>> {
  const row = await scanAggregates(engine, table, [...extra, ...profileAggregates(table.columns)]);
  await table.assertReadFully(Number(row.rows));
  return row;
}

/**
 * SQL aggregates (alias -> expression) of the whole profile, one group per column, for
 * `scanAggregates`. Conditions are CASE inside the aggregate, not FILTER: DuckDB's cost of a
 * FILTER grows with every other aggregate of the query (quadratic in columns). Numbers and
 * datetimes also carry their HyperLogLog registers (`hll.bitsSql`, 128 KiB whatever the data),
 * so no column needs a pass of its own for them. Integers are never NaN nor infinite: what is
 * known of them is not computed (computeProfile fills it in).
 */
export function profileAggregates(columns: Column[]): AggregateGroup[] {
  const groups: AggregateGroup[] = [{ aggregates: { rows: 'count(*)' } }];
  columns.forEach((c, i) => {
    const out: Record<string, string> = {};
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
      if (INTEGER_TYPE.test(c.type)) {
        out[`${p}mean`] = `avg(${x})`;
        out[`${p}var`] = `var_pop(${x})`;
        const inWindow = `${q} BETWEEN ${-INTEGER_WINDOW} AND ${INTEGER_WINDOW - 1}`;
        out[`${p}window`] = histogramOf(when(inWindow, q));
        out[`${p}hll`] = hll.bitsSql(asText(c), `${q} IS NOT NULL AND NOT (${inWindow})`);
        // The argument must never see a value ln() rejects: CASE guards it. histogram skips NULL.
        out[`${p}pos`] = histogramOf(when(`${q} >= ${INTEGER_WINDOW}`, sketch.bucketIndexSql(x)));
        out[`${p}neg`] = histogramOf(when(`${q} < ${-INTEGER_WINDOW}`, sketch.bucketIndexSql(`-${x}`)));
      } else {
        out[`${p}finite`] = countWhere(fin);
        out[`${p}mean`] = `avg(${when(fin, x)})`;
        out[`${p}var`] = `var_pop(${when(fin, x)})`;
        out[`${p}nan`] = countWhere(`isnan(${x})`);
        out[`${p}posinf`] = countWhere(`${x} = 'Infinity'::DOUBLE`);
        out[`${p}neginf`] = countWhere(`${x} = '-Infinity'::DOUBLE`);
        out[`${p}hll`] = hll.bitsSql(asText(c));
        if (kind === 'numeric') {
          out[`${p}zeros`] = countWhere(`abs(${x}) < ${sketch.MIN_INDEXABLE}`);
          out[`${p}pos`] = histogramOf(when(`${fin} AND ${x} >= ${sketch.MIN_INDEXABLE}`, sketch.bucketIndexSql(x)));
          out[`${p}neg`] = histogramOf(when(`${fin} AND ${x} <= -${sketch.MIN_INDEXABLE}`, sketch.bucketIndexSql(`-${x}`)));
        } else {
          out[`${p}time`] = histogramOf(when(fin, sketch.timeKeySql(x)));
          out[`${p}tmin`] = `CAST(min(${q}) AS VARCHAR)`;
          out[`${p}tmax`] = `CAST(max(${q}) AS VARCHAR)`;
        }
      }
    } else if (kind === 'text') {
      const len = `length(${asText(c)})`;
      out[`${p}lmin`] = `min(${len})`;
      out[`${p}lmax`] = `max(${len})`;
      out[`${p}lmean`] = `avg(${len})`;
    }
    groups.push({ column: c.name, aggregates: out });
  });
  return groups;
}

/** Sketch bucket of each integer 1..INTEGER_WINDOW (index k - 1), computed by the engine as the scan computes it. */
async function integerBuckets(engine: Engine): Promise<number[]> {
  const [row] = await engine.query(`SELECT to_json(list(${sketch.bucketIndexSql('CAST(k AS DOUBLE)')} ORDER BY k))::VARCHAR AS b FROM range(1, ${INTEGER_WINDOW + 1}) t(k)`);
  return JSON.parse(String(row!.b)) as number[];
}

/** The sketch of an integer column: its window's counts bucketed as the scan buckets the values outside it. */
function integerSketch(window: Record<string, number>, buckets: number[], pos: Record<string, number>, neg: Record<string, number>): sketch.Sketch {
  const positive = { ...pos };
  const negative = { ...neg };
  let zeros = 0;
  for (const [k, n] of Object.entries(window)) {
    const v = Number(k);
    if (v === 0) zeros += n;
    else {
      const side = v > 0 ? positive : negative;
      const b = buckets[Math.abs(v) - 1]!;
      side[b] = (side[b] ?? 0) + n;
    }
  }
  return { zeros, positive: sketch.sortKeys(positive), negative: sketch.sortKeys(negative) };
}

/**
 * What the scan found of a column's distinct values: the registers of the values it hashed and,
 * for integers, the window's values (hashed only when a sketch is asked for); `all`: the
 * window held every value.
 */
interface Scanned {
  bits: Uint8Array;
  window?: string[];
  all?: [string, number][];
}

/** The column's registers over all its values. */
async function registersOfScan(engine: Engine, s: Scanned): Promise<Uint8Array> {
  if (!s.window?.length) return s.bits;
  const [row] = await engine.query(`SELECT ${hll.bitsSql('k')} AS bits FROM (SELECT unnest([${s.window.map((k) => `'${k}'`).join(', ')}]) AS k)`);
  return hll.merge(s.bits, hll.fromBits(row!.bits as Uint8Array));
}

function counts(json: unknown): Record<string, number> {
  if (json === null || json === undefined) return {};
  return sketch.sortKeys(JSON.parse(String(json)) as Record<string, number>);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function encodeRegisters(regs: Uint8Array): string {
  return zlib.deflateRawSync(regs, { level: 9 }).toString('base64');
}

export function decodeRegisters(text: string): Uint8Array {
  const regs = new Uint8Array(zlib.inflateRawSync(Buffer.from(text, 'base64')));
  if (regs.length !== hll.REGISTERS) throw new UserError(`a distinct-count sketch holds ${regs.length} registers, not ${hll.REGISTERS}`, { fix: 'the profile is damaged: write it again with validate-data' });
  return regs;
}

/** An estimate never exceeds the values it counts, nor falls below what is known to be there. */
function estimateDistinct(regs: Uint8Array, count: number, atLeast = 0): number {
  return Math.max(Math.min(hll.estimate(regs), count), Math.min(atLeast, count));
}

/** Profile of the table from the aggregate row, plus a value-count pass for low-cardinality columns. */
export async function computeProfile(
  engine: Engine,
  table: Table,
  agg: Record<string, unknown>,
  source: Profile['source'],
): Promise<Profile> {
  const rows = Number(agg.rows);
  // What the scan took of each number's and datetime's distinct values.
  const scanned = new Map<ColumnProfile, Scanned>();
  const buckets = table.columns.some((c) => INTEGER_TYPE.test(c.type)) ? await integerBuckets(engine) : [];
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
      distinct: { value: Math.min(Number(agg[`${p}distinct`]), count), exact: false },
    };
    if (kind === 'numeric' || kind === 'datetime') {
      const integer = INTEGER_TYPE.test(c.type);
      const finite = integer ? count : Number(agg[`${p}finite`]);
      const variance = num(agg[`${p}var`]);
      const min = num(agg[`${p}min`]);
      const max = num(agg[`${p}max`]);
      const window = integer ? counts(agg[`${p}window`]) : {};
      col.numeric = finishNumeric({
        min,
        max,
        finite,
        mean: num(agg[`${p}mean`]),
        m2: (variance ?? 0) * finite,
        variance,
        nan: integer ? 0 : Number(agg[`${p}nan`]),
        posInf: integer ? 0 : Number(agg[`${p}posinf`]),
        negInf: integer ? 0 : Number(agg[`${p}neginf`]),
        quantiles: {},
        ...(integer
          ? { sketch: integerSketch(window, buckets, counts(agg[`${p}pos`]), counts(agg[`${p}neg`])) }
          : kind === 'numeric'
            ? { sketch: { zeros: Number(agg[`${p}zeros`]), positive: counts(agg[`${p}pos`]), negative: counts(agg[`${p}neg`]) } }
            : { timeline: counts(agg[`${p}time`]) }),
      });
      if (kind === 'datetime') col.range = { min: (agg[`${p}tmin`] as string | null) ?? null, max: (agg[`${p}tmax`] as string | null) ?? null };
      const s: Scanned = { bits: hll.fromBits(agg[`${p}hll`] as Uint8Array | null) };
      if (integer) {
        s.window = Object.keys(window);
        if (count === 0 || (min! >= -INTEGER_WINDOW && max! < INTEGER_WINDOW)) s.all = Object.entries(window);
      }
      scanned.set(col, s);
    } else if (kind === 'text') {
      col.length = { min: num(agg[`${p}lmin`]), max: num(agg[`${p}lmax`]), mean: num(agg[`${p}lmean`]) };
    }
    return col;
  });
  await addValueCounts(engine, table.columns, columns, scanned);
  for (const [p, s] of scanned) {
    if (p.values?.complete || p.distinct.hll) continue;
    const regs = await registersOfScan(engine, s);
    if (!p.distinct.exact) p.distinct.value = estimateDistinct(regs, p.count);
    p.distinct.hll = encodeRegisters(regs);
  }
  return {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    kind: 'mlops/profile',
    rows,
    source,
    sketch: {
      kind: 'ddsketch',
      relativeAccuracy: sketch.RELATIVE_ACCURACY,
      timeUnitSeconds: sketch.TIME_UNIT_SECONDS,
      distinct: { kind: 'hyperloglog', precision: hll.PRECISION, hash: 'duckdb-text' },
    },
    columns,
  };
}

function finishNumeric(n: NonNullable<ColumnProfile['numeric']>): NonNullable<ColumnProfile['numeric']> {
  const quantiles: Record<string, number | null> = {};
  const min = n.min ?? undefined;
  const max = n.max ?? undefined;
  const values = n.timeline ? sketch.timeQuantiles(n.timeline, QUANTILES, min, max) : QUANTILES.map((q) => sketch.quantile(n.sketch ?? sketch.emptySketch(), q, min, max));
  QUANTILES.forEach((q, i) => (quantiles[`p${Math.round(q * 100)}`] = values[i]!));
  return { ...n, variance: n.finite > 0 ? n.m2 / n.finite : null, quantiles };
}

/**
 * Every value's count for columns the estimate puts under the limit (and booleans): the
 * distinct count becomes exact; a column found past the limit keeps its top values. Text
 * columns past it get their top values (and exact distinct count) from one GROUP BY each.
 * Integers whose every value the scan counted (`scanned`) need no pass.
 */
async function addValueCounts(engine: Engine, columns: Column[], profiles: ColumnProfile[], scanned: Map<ColumnProfile, Scanned>): Promise<void> {
  const small = profiles.map((p, i) => ({ p, c: columns[i]! })).filter(({ p }) => p.kind === 'boolean' || p.distinct.value <= VALUES_PASS_LIMIT);
  const counted = async (p: ColumnProfile, values: [string, number][]) => {
    const all = sortCounts(values);
    p.distinct = { value: all.length, exact: true };
    // Every value is here: a sketch for later merges needs no other pass.
    if (all.length > VALUES_LIMIT) {
      const s = scanned.get(p);
      p.distinct.hll = encodeRegisters(s ? await registersOfScan(engine, s) : registersOfValues(all));
    }
    if (all.length <= VALUES_LIMIT || p.kind === 'boolean') {
      p.values = { counts: all, complete: true, other: 0 };
      if (p.kind === 'text') p.kind = 'categorical';
    } else if (p.kind === 'text') {
      p.values = topValues(all.slice(0, TOP_VALUES), p.count);
    }
  };
  const pass: typeof small = [];
  for (const x of small) {
    const all = scanned.get(x.p)?.all;
    if (all) await counted(x.p, all);
    else pass.push(x);
  }
  // An integer's text is its digits: counted as numbers (cheaper than as text), keyed the same.
  const key = (c: Column) => (INTEGER_TYPE.test(c.type) ? quoteIdent(c.name) : asText(c));
  for (const query of packQueries(pass.map(({ c }, i) => ({ column: c.name, aggregates: { [`v${i}`]: histogramOf(key(c)) } })))) {
    const row = await aggregateRow(engine, query);
    for (const alias of Object.keys(query.aggregates)) {
      await counted(pass[Number(alias.slice(1))]!.p, Object.entries(row[alias] ? (JSON.parse(String(row[alias])) as Record<string, number>) : {}));
    }
  }
  for (const [i, p] of profiles.entries()) {
    if (p.values || p.kind !== 'text') continue;
    const t = asText(columns[i]!);
    // One GROUP BY gives the top values, the exact distinct count and the sketch's registers.
    const top = await engine.query(
      `WITH g AS MATERIALIZED (SELECT ${t} AS v, count(*) AS n FROM ${sourceOf(engine, [columns[i]!.name])} WHERE ${t} IS NOT NULL GROUP BY 1) ` +
        `SELECT v, n, (SELECT count(*) FROM g) AS d, (SELECT ${hll.bitsSql('v')} FROM g) AS bits ` +
        `FROM g ORDER BY n DESC, v LIMIT ${TOP_VALUES}`,
    );
    p.values = topValues(
      top.map((r) => [String(r.v), Number(r.n)] as [string, number]),
      p.count,
    );
    p.distinct = { value: Number(top[0]?.d ?? 0), exact: true, hll: encodeRegisters(hll.fromBits(top[0]?.bits as Uint8Array | undefined)) };
  }
}

function topValues(kept: [string, number][], count: number): NonNullable<ColumnProfile['values']> {
  return { counts: kept, complete: false, other: count - kept.reduce((s, [, n]) => s + n, 0) };
}

/** Most frequent first; ties by value, so the order is stable. */
function sortCounts(entries: [string, number][]): [string, number][] {
  return entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/**
 * The profile of the union of two datasets from their profiles alone. Counts, value counts of
 * complete columns, min/max, moments (Chan's parallel formula) and the fixed-edge sketch (and
 * so the quantiles) equal those of profiling the union directly. Distinct counts of columns
 * whose values are not all kept are HyperLogLog estimates of the union (within 2%), and
 * incomplete top values stay approximate (marked so).
 */
export interface MergeOptions {
  /**
   * Keep every value's count past VALUES_LIMIT (an intermediate of mergeAllProfiles, not a
   * profile to write): the next merge still knows every value, so the distinct count of a union
   * that passes the limit over several shards stays exact.
   */
  keepAllValues?: boolean;
}

/**
 * The profile of the union of many shards: merged in order, keeping every value's count until
 * the last merge, so what is exact for two shards is exact for any number of them. `fail(i, e)`
 * turns a failure to merge shard i into the caller's error.
 */
export function mergeAllProfiles(profiles: readonly Profile[], fail: (index: number, e: Error) => never = (_, e) => { throw e; }): Profile {
  let merged = profiles[0]!;
  for (let i = 1; i < profiles.length; i++) {
    try {
      merged = mergeProfiles(merged, profiles[i]!, { keepAllValues: i < profiles.length - 1 });
    } catch (e) {
      fail(i, e as Error);
    }
  }
  return merged;
}

export function mergeProfiles(a: Profile, b: Profile, o: MergeOptions = {}): Profile {
  const names = [...a.columns.map((c) => c.name), ...b.columns.filter((c) => !a.columns.some((x) => x.name === c.name)).map((c) => c.name)];
  const columns = names.map((name) => {
    const x = a.columns.find((c) => c.name === name) ?? absent(b.columns.find((c) => c.name === name)!, a.rows);
    const y = b.columns.find((c) => c.name === name) ?? absent(x, b.rows);
    return mergeColumn(...alignValues(...commonType(x, y)), o);
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
      ? { min: null, max: null, finite: 0, mean: null, m2: 0, variance: null, nan: 0, posInf: 0, negInf: 0, quantiles: {}, ...(like.numeric.timeline ? { timeline: {} } : { sketch: sketch.emptySketch() }) }
      : undefined,
    range: like.range ? { min: null, max: null } : undefined,
    length: like.length ? { min: null, max: null, mean: null } : undefined,
  };
}

function registersOfValues(counts: [string, number][]): Uint8Array {
  const regs = hll.empty();
  for (const [v] of counts) hll.add(regs, v);
  return regs;
}

/** A column's HyperLogLog registers: stored, or rebuilt from its complete value counts. */
function registersOf(c: ColumnProfile): Uint8Array {
  if (c.distinct.hll) return decodeRegisters(c.distinct.hll);
  if (c.values?.complete) return registersOfValues(c.values.counts);
  if (c.count > 0) throw new Error(`column "${c.name}" has neither a distinct-count sketch nor all its values`);
  return hll.empty();
}

const minOf = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.min(p, q));
const maxOf = (p: number | null, q: number | null) => (p === null ? q : q === null ? p : Math.max(p, q));
const textMin = (p: string | null, q: string | null) => (p === null ? q : q === null ? p : p < q ? p : q);
const textMax = (p: string | null, q: string | null) => (p === null ? q : q === null ? p : p > q ? p : q);

function mergeColumn(x: ColumnProfile, y: ColumnProfile, o: MergeOptions): ColumnProfile {
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
      ...(a.timeline && b.timeline ? { timeline: sketch.addCounts(a.timeline, b.timeline) } : { sketch: sketch.merge(a.sketch ?? sketch.emptySketch(), b.sketch ?? sketch.emptySketch()) }),
    });
  }
  if (x.range && y.range) out.range = { min: textMin(x.range.min, y.range.min), max: textMax(x.range.max, y.range.max) };
  if (x.length && y.length) {
    const mean = out.count > 0 ? ((x.length.mean ?? 0) * x.count + (y.length.mean ?? 0) * y.count) / out.count : null;
    out.length = { min: minOf(x.length.min, y.length.min), max: maxOf(x.length.max, y.length.max), mean };
  }
  // Every value of the union is known when both sides kept every value: its distinct count is exact.
  let everyValue: number | undefined;
  out.values = undefined;
  if (x.values && y.values) {
    const sum = new Map<string, number>(x.values.counts);
    for (const [v, n] of y.values.counts) sum.set(v, (sum.get(v) ?? 0) + n);
    let entries = sortCounts([...sum.entries()]);
    if (x.values.complete && y.values.complete) everyValue = entries.length;
    // As profiling the union would: past the limit, text keeps its top values, numbers none.
    const complete = everyValue !== undefined && (everyValue <= VALUES_LIMIT || out.kind === 'boolean' || o.keepAllValues === true);
    if (!complete) entries = entries.slice(0, TOP_VALUES);
    const kept = entries.reduce((s, [, n]) => s + n, 0);
    if (complete || out.kind === 'text' || out.kind === 'categorical') out.values = { counts: entries, complete, other: out.count - kept };
    if (!complete && out.kind === 'categorical') out.kind = 'text';
  }
  if (out.values?.complete) out.distinct = { value: everyValue!, exact: true };
  else {
    // The union's registers are the larger of each pair: an estimate of the union's distinct count.
    const regs = hll.merge(registersOf(x), registersOf(y));
    const known = Math.max(x.distinct.exact ? x.distinct.value : 0, y.distinct.exact ? y.distinct.value : 0);
    out.distinct =
      everyValue !== undefined
        ? { value: everyValue, exact: true, hll: encodeRegisters(regs) }
        : { value: estimateDistinct(regs, out.count, known), exact: false, hll: encodeRegisters(regs) };
  }
  if (out.kind === 'text' && out.values?.complete) out.kind = 'categorical';
  return out;
}
