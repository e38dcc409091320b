import fs from 'node:fs';
import YAML, { isMap, isSeq, LineCounter, type Node } from 'yaml';
import { z } from 'zod';
import { UserError } from '../runtime/errors.js';
import { readUserText } from '../runtime/files.js';

export const COLUMN_TYPES = ['int', 'float', 'string', 'bool', 'date', 'timestamp', 'category'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** How a declared type is read (CSV) and which engine types satisfy it (Parquet, JSON). */
export const DUCKDB_TYPE: Record<ColumnType, string> = {
  int: 'BIGINT',
  float: 'DOUBLE',
  string: 'VARCHAR',
  bool: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  category: 'VARCHAR',
};

const range = z.object({ min: z.number().optional(), max: z.number().optional() }).strict();
const severity = z.enum(['error', 'warning']).default('error');
const mostly = z.number().gt(0).max(1).optional();
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const columnRules = z
  .object({
    type: z.enum(COLUMN_TYPES).optional(),
    description: z.string().optional(),
    /** The column must exist. */
    required: z.boolean().default(true),
    /** false: no nulls at all. */
    nullable: z.boolean().default(true),
    max_null_fraction: z.number().min(0).max(1).optional(),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
    allowed: z.array(scalar).min(1).optional(),
    regex: z.string().optional(),
    unique: z.boolean().optional(),
    min_length: z.number().int().min(0).optional(),
    max_length: z.number().int().min(0).optional(),
    mean: range.optional(),
    stdev: range.optional(),
    /** Great Expectations' mostly: pass when (non-null - unexpected) / non-null >= mostly. */
    mostly,
    severity,
  })
  .strict();

const sqlCheck = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . -'),
    description: z.string().optional(),
    /** A per-row boolean SQL expression: rows where it is false are unexpected. */
    where: z.string().optional(),
    /** An aggregate SQL expression over the whole table that must be true. */
    assert: z.string().optional(),
    mostly,
    severity,
  })
  .strict()
  .refine((c) => (c.where === undefined) !== (c.assert === undefined), { message: 'give exactly one of `where` (per row) or `assert` (aggregate)' });

export const schemaFileSchema = z
  .object({
    version: z.literal(1).default(1),
    table: z
      .object({
        rows: range.optional(),
        /** allow (default), warn or error on columns the schema does not list. */
        unknown_columns: z.enum(['allow', 'warn', 'error']).default('allow'),
      })
      .strict()
      .default({ unknown_columns: 'allow' }),
    columns: z.record(z.string(), columnRules).default({}),
    checks: z.array(sqlCheck).default([]),
  })
  .strict();

export type DataSchema = z.infer<typeof schemaFileSchema>;
export type ColumnRules = z.infer<typeof columnRules>;
export type SqlCheck = z.infer<typeof sqlCheck>;

/** A schema with where each rule is written, so a failing check can point at its line. */
export interface LoadedSchema {
  file: string;
  schema: DataSchema;
  lineOf(path: (string | number)[]): number | undefined;
}

/** Read and validate a schema YAML; any mistake is a UserError at its file:line:column. */
export function loadSchema(absolute: string, display: string, inputName = 'schema'): LoadedSchema {
  if (!fs.existsSync(absolute)) throw new UserError(`schema file not found: ${display}`, { where: { input: inputName }, fix: 'check the path, or use `infer-schema` to write one from the data' });
  const text = readUserText(absolute, { display, input: inputName });
  const counter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => counter.linePos(offset);
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = position(err.pos[0]);
    throw new UserError(`invalid YAML: ${err.message.split('\n')[0]}`, { where: { file: display, line: pos.line, column: pos.col }, fix: 'fix the YAML syntax at this position' });
  }
  /** The node at a path; for a map entry, its key (where `name:` is written). */
  const nodeAt = (path: (string | number)[]): Node | undefined => {
    let node: unknown = doc.contents;
    let last: Node | undefined = doc.contents ?? undefined;
    for (const [i, key] of path.entries()) {
      if (isMap(node)) {
        const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(key));
        if (!pair) break;
        node = pair.value;
        last = i === path.length - 1 || !node ? ((pair.key as Node) ?? last) : (node as Node);
      } else if (isSeq(node)) {
        node = node.items[Number(key)];
        if (node) last = node as Node;
      } else break;
    }
    return last;
  };
  const lineOf = (path: (string | number)[]) => {
    const range = nodeAt(path)?.range;
    return range ? position(range[0]).line : undefined;
  };
  const parsed = schemaFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    let where = [...path];
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      where = [...path, issue.keys[0]!];
      message = `unknown ${path.length === 0 ? 'section' : path[0] === 'columns' ? 'column check' : 'key'} "${issue.keys[0]}"`;
    }
    const range = nodeAt(where)?.range;
    const pos = range ? position(range[0]) : undefined;
    const fix =
      issue.code === 'unrecognized_keys' && path[0] === 'columns'
        ? `column checks are: ${Object.keys(columnRules.shape).join(', ')}`
        : `see docs/schema.md (at ${where.join('.') || 'the top level'})`;
    throw new UserError(`invalid schema: ${message}${where.length ? ` at ${where.join('.')}` : ''}`, { where: { file: display, line: pos?.line, column: pos?.col }, fix });
  }
  return { file: display, schema: parsed.data, lineOf };
}
