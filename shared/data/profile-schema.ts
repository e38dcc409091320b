/**
 * The profile's format (docs/profile.md): its zod schema and the reader that refuses other
 * versions. Apart from profile.ts (which computes and merges profiles with DuckDB) so that the
 * model server, which only reads one, bundles no engine.
 */
import { z } from 'zod';
import * as hll from '../stats/hll.js';
import * as sketch from '../stats/sketch.js';
import { UserError } from '../runtime/errors.js';

/** 2: HyperLogLog registers for distinct counts, the minute timeline for datetimes. */
export const PROFILE_SCHEMA_VERSION = 2;

const countsSchema = z.record(z.string(), z.number().int());
const sketchSchema = z.object({ zeros: z.number().int(), positive: countsSchema, negative: countsSchema });

const columnSchema = z.object({
  name: z.string(),
  /** The engine's type (DuckDB): BIGINT, DOUBLE, VARCHAR, BOOLEAN, DATE, TIMESTAMP... */
  type: z.string(),
  kind: z.enum(['numeric', 'datetime', 'boolean', 'categorical', 'text']),
  /** Non-null values. */
  count: z.number().int(),
  nulls: z.number().int(),
  /**
   * exact: every value was counted. hll: the HyperLogLog registers (raw deflate, base64) of a
   * column whose values are not all kept, so a merge can estimate the union.
   */
  distinct: z.object({ value: z.number().int(), exact: z.boolean(), hll: z.string().optional() }),
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
      /** numeric columns: fixed-edge histogram, see shared/stats/sketch.ts. */
      sketch: sketchSchema.optional(),
      /** datetime columns: counts per minute since the epoch, see shared/stats/sketch.ts. */
      timeline: countsSchema.optional(),
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
  sketch: z.object({
    kind: z.literal('ddsketch'),
    relativeAccuracy: z.number(),
    /** Seconds per timeline bucket of datetime columns. */
    timeUnitSeconds: z.literal(sketch.TIME_UNIT_SECONDS),
    /** HyperLogLog of DuckDB's hash() of each value's text, 2^precision registers. */
    distinct: z.object({ kind: z.literal('hyperloglog'), precision: z.literal(hll.PRECISION), hash: z.literal('duckdb-text') }),
  }),
  columns: z.array(columnSchema),
});
export type Profile = z.infer<typeof profileSchema>;
export type ColumnProfile = z.infer<typeof columnSchema>;
export type Kind = ColumnProfile['kind'];

/** A profile read from a file, with a clear error for other versions. */
export function parseProfile(json: unknown, file: string): Profile {
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if ((json as { kind?: unknown } | null)?.kind !== 'mlops/profile') throw new UserError('not an mlops profile (no `"kind": "mlops/profile"`)', { where: { file }, fix: 'point at a profile.json written by validate-data' });
  if (version !== PROFILE_SCHEMA_VERSION) {
    throw new UserError(`profile schemaVersion ${String(version)} is not supported (this version reads ${PROFILE_SCHEMA_VERSION})`, {
      where: { file },
      fix:
        typeof version === 'number' && version < PROFILE_SCHEMA_VERSION
          ? 'run validate-data again on the same data to write the current version (version 1 had approximate distinct counts and month-wide datetime quantiles)'
          : 'upgrade mlops-actions to read it',
    });
  }
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) throw new UserError(`invalid profile: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, { where: { file } });
  return parsed.data;
}

/** A DuckDB column type's kind, as a profile records it. */
/** DuckDB's integer types: never NaN nor infinite, and their text is their digits. */
export const INTEGER_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/i;

export function kindOf(type: string): 'numeric' | 'datetime' | 'boolean' | 'text' {
  const t = type.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL)/.test(t)) return 'numeric';
  if (/^(DATE|TIMESTAMP)/.test(t)) return 'datetime';
  if (t === 'BOOLEAN') return 'boolean';
  return 'text';
}
