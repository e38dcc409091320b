import YAML from 'yaml';
import type { ColumnProfile, Profile } from './profile.js';
import type { ColumnType } from './schema.js';

/** Strings with at most this many distinct values become a category with `allowed` values (TFDV uses 100). */
export const CATEGORY_LIMIT = 20;

function typeOf(c: ColumnProfile): ColumnType {
  const t = c.type.toUpperCase();
  if (c.kind === 'boolean') return 'bool';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (c.kind === 'numeric') return /INT/.test(t) ? 'int' : 'float';
  if (c.values?.complete && c.distinct.value <= CATEGORY_LIMIT) return 'category';
  return 'string';
}

/**
 * A starting schema from a profile: types, nullability, observed ranges and category domains.
 * Meant to be reviewed and edited: observed ranges are the data's, not the domain's.
 */
export function inferSchema(profile: Profile, dataLabel: string): string {
  const columns: Record<string, Record<string, unknown>> = {};
  for (const c of profile.columns) {
    const type = typeOf(c);
    const rules: Record<string, unknown> = { type };
    if (c.nulls === 0) rules.nullable = false;
    else rules.max_null_fraction = Math.min(1, Number((Math.ceil((c.nulls / Math.max(1, profile.rows)) * 1000) / 1000).toFixed(3)));
    if (c.kind === 'numeric' && c.numeric?.min !== null && c.numeric?.max !== null) {
      rules.min = c.numeric!.min;
      rules.max = c.numeric!.max;
    }
    if (c.range?.min && c.range.max) {
      rules.min = c.range.min;
      rules.max = c.range.max;
    }
    if (type === 'category') rules.allowed = c.values!.counts.map(([v]) => v).sort();
    if (c.distinct.exact && c.distinct.value === c.count && c.count > 1 && (type === 'string' || type === 'int')) rules.unique = true;
    columns[c.name] = rules;
  }
  const doc = new YAML.Document({ version: 1, table: { rows: { min: 1 }, unknown_columns: 'warn' }, columns });
  doc.commentBefore = ` Schema inferred by mlops validate-data from ${dataLabel} (${profile.rows} rows).\n Review it: ranges and categories are what this data held, not necessarily what is valid.\n Reference: docs/schema.md`;
  return doc.toString({ lineWidth: 0 });
}
