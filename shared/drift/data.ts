/**
 * Data files read exactly as validate-data reads them (shared/data: the same formats, the same
 * reader, the same row-count cross-check): profiled on the fixed edges every profile shares, or
 * as raw values column by column.
 */
import { type Engine, openEngine, quoteIdent } from '../data/engine.js';
import { computeProfile, kindOf, type Profile, scanProfile } from '../data/profile.js';
import { type DataSource, digestData, resolveData } from '../data/source.js';
import { type Column, openTable, type Table, VIEW } from '../data/table.js';
import type { Context } from '../runtime/context.js';
import type { RawValue } from '../stats/drift/raw.js';

async function withTable<T>(spec: string, input: string, ctx: Context, fn: (engine: Engine, table: Table, source: DataSource) => Promise<T>): Promise<T> {
  const source = await resolveData(spec, ctx.workspace, input);
  const engine = await openEngine({ log: ctx.log, tempDir: ctx.tempDir });
  try {
    const table = await openTable(engine, source);
    try {
      return await fn(engine, table, source);
    } catch (e) {
      throw await table.asUserError(e);
    }
  } finally {
    engine.close();
  }
}

/** The profile validate-data would write for these files (same sketch edges, same value counts). */
export async function profileData(spec: string, input: string, ctx: Context): Promise<Profile> {
  return withTable(spec, input, ctx, async (engine, table, source) => {
    const row = await scanProfile(engine, table);
    const digest = await digestData(source);
    return computeProfile(engine, table, row, { format: source.format, digest: digest.digest, files: digest.files });
  });
}

export interface RawColumns {
  columns: Column[];
  rows: number;
  digest: string;
  files: string[];
  values: Map<string, RawValue[]>;
}

/** Every value of the named columns (those the data has), as numbers, text or booleans; datetimes as epoch seconds. */
export async function readColumns(spec: string, input: string, names: readonly string[], ctx: Context): Promise<RawColumns> {
  return withTable(spec, input, ctx, async (engine, table, source) => {
    const columns = table.columns.filter((c) => names.includes(c.name));
    const values = new Map<string, RawValue[]>(columns.map((c) => [c.name, []]));
    let rows = 0;
    const value = (c: Column) => (kindOf(c.type) === 'datetime' ? `CAST(epoch(${quoteIdent(c.name)}) AS DOUBLE)` : quoteIdent(c.name));
    const select = columns.length ? columns.map((c, i) => `${value(c)} AS "c${i}"`).join(', ') : '1 AS "_"';
    await engine.stream(`SELECT ${select} FROM ${VIEW}`, (chunk) => {
      rows += chunk.length;
      columns.forEach((c, i) => {
        const out = values.get(c.name)!;
        const key = `c${i}`; // once per column, not once per value
        for (const r of chunk) out.push(r[key] as RawValue);
      });
    });
    await table.assertReadFully(rows);
    const digest = await digestData(source);
    return { columns, rows, digest: digest.digest, files: source.files.map((f) => f.path), values };
  });
}
