import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateData } from '../../actions/validate-data/validate-data.js';
import { openEngine } from '../../shared/data/engine.js';
import { mergeProfiles, type Profile, profileSchema } from '../../shared/data/profile.js';
import * as sketch from '../../shared/stats/sketch.js';
import { testContext } from '../harness/context.js';
import { workspaceWith } from '../harness/runner.js';

interface Rec {
  id: number;
  x: number | null;
  city: string | null;
  flag: boolean;
  day: string;
  note: string;
}

/** Deterministic rows: unique ints, floats with nulls/zeros/negatives, a category, booleans, dates, free text. */
function rows(from: number, to: number): Rec[] {
  const out: Rec[] = [];
  for (let i = from; i < to; i++) {
    const x = i % 17 === 0 ? null : i % 13 === 0 ? 0 : Math.sin(i) * 1000 + (i % 7) / 3;
    out.push({ id: i, x, city: i % 11 === 0 ? null : ['Oslo', 'Lima', 'Pune', 'Kobe'][i % 4]!, flag: i % 3 === 0, day: new Date(Date.UTC(2024, 0, 1 + (i % 400))).toISOString().slice(0, 10), note: `n${(i * 7919) % 4001}` });
  }
  return out;
}

const csv = (rs: Rec[]) => ['id,x,city,flag,day,note', ...rs.map((r) => [r.id, r.x ?? '', r.city ?? '', r.flag, r.day, r.note].join(','))].join('\n') + '\n';

async function profileOf(ws: string, data: string, out: string): Promise<Profile> {
  await validateData({ data, schema: undefined, 'infer-schema': undefined, profile: out, report: `${out}.report.json`, 'fail-on': 'error' }, testContext(ws));
  return profileSchema.parse(JSON.parse(fs.readFileSync(path.join(ws, out), 'utf8')));
}

describe('profile', () => {
  const all = rows(0, 5000);
  let ws: string;
  let whole: Profile;
  beforeAll(async () => {
    ws = workspaceWith({ 'shards/a.csv': csv(all.slice(0, 3200)), 'shards/b.csv': csv(all.slice(3200)), 'all.csv': csv(all) });
    whole = await profileOf(ws, 'all.csv', 'whole.json');
  });

  it('matches an independent computation: DuckDB SQL for moments and counts, JS for the sketch', async () => {
    const engine = await openEngine({ log: testContext(ws).log, tempDir: ws });
    const [sql] = await engine.query(
      `SELECT count(*) AS n, count(x) AS nx, min(x) AS mn, max(x) AS mx, avg(x) AS mean, var_pop(x) AS var, count(city) AS nc FROM read_csv('${path.join(ws, 'all.csv')}')`,
    );
    engine.close();
    const x = whole.columns.find((c) => c.name === 'x')!;
    expect(whole.rows).toBe(5000);
    expect(sql!.n).toBe(5000);
    expect(x.count).toBe(sql!.nx);
    expect(x.nulls).toBe(5000 - Number(sql!.nx));
    expect(x.numeric!.min).toBe(sql!.mn);
    expect(x.numeric!.max).toBe(sql!.mx);
    expect(x.numeric!.mean).toBeCloseTo(Number(sql!.mean), 9);
    expect(x.numeric!.variance! / Number(sql!.var)).toBeCloseTo(1, 12);

    const values = all.map((r) => r.x).filter((v): v is number => v !== null);
    const js = sketch.emptySketch();
    for (const v of values) sketch.add(js, v);
    expect(x.numeric!.sketch).toEqual({ zeros: js.zeros, positive: sketch.sortKeys(js.positive), negative: sketch.sortKeys(js.negative) });
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(0.5 * (sorted.length - 1))]!;
    expect(Math.abs(x.numeric!.quantiles.p50! - median)).toBeLessThanOrEqual(0.01 * Math.abs(median));

    const city = whole.columns.find((c) => c.name === 'city')!;
    const expected = new Map<string, number>();
    for (const r of all) if (r.city) expected.set(r.city, (expected.get(r.city) ?? 0) + 1);
    expect(city.kind).toBe('categorical');
    expect(Object.fromEntries(city.values!.counts)).toEqual(Object.fromEntries(expected));
    expect(city.values!.complete).toBe(true);
    expect(city.nulls).toBe(all.filter((r) => r.city === null).length);

    const flag = whole.columns.find((c) => c.name === 'flag')!;
    expect(flag.kind).toBe('boolean');
    expect(Object.fromEntries(flag.values!.counts)).toEqual({ true: all.filter((r) => r.flag).length, false: all.filter((r) => !r.flag).length });

    const day = whole.columns.find((c) => c.name === 'day')!;
    expect(day.kind).toBe('datetime');
    expect(day.range).toEqual({ min: '2024-01-01', max: new Date(Date.UTC(2024, 0, 400)).toISOString().slice(0, 10) });

    const note = whole.columns.find((c) => c.name === 'note')!;
    expect(note.kind).toBe('text');
    expect(note.values!.complete).toBe(false);
    expect(note.values!.counts.length).toBe(100);
    expect(note.values!.other + note.values!.counts.reduce((s, [, n]) => s + n, 0)).toBe(5000);
    expect(note.length).toMatchObject({ min: 2, max: 5 });
  });

  it('the profiles of two shards merge into the profile of the whole', async () => {
    const a = await profileOf(ws, 'shards/a.csv', 'a.json');
    const b = await profileOf(ws, 'shards/b.csv', 'b.json');
    const both = await profileOf(ws, 'shards', 'both.json');
    const merged = mergeProfiles(a, b);
    expect(merged.rows).toBe(both.rows);
    expect(merged.source).toEqual(both.source);
    for (const col of both.columns) {
      const m = merged.columns.find((c) => c.name === col.name)!;
      expect(m.count).toBe(col.count);
      expect(m.nulls).toBe(col.nulls);
      expect(m.kind).toBe(col.kind);
      expect(m.range).toEqual(col.range);
      if (col.values?.complete) {
        expect(m.values).toEqual(col.values);
        expect(m.distinct).toEqual(col.distinct);
      }
      if (col.numeric) {
        const { mean, m2, variance, ...exact } = col.numeric;
        const { mean: mm, m2: mm2, variance: mv, ...mergedExact } = m.numeric!;
        expect(mergedExact).toEqual(exact);
        expect(mm!).toBeCloseTo(mean!, 9);
        expect(mm2 / m2).toBeCloseTo(1, 12);
        expect(mv! / variance!).toBeCloseTo(1, 12);
      }
    }
    // Merging is the same whichever shard comes first.
    expect(mergeProfiles(b, a).rows).toBe(merged.rows);
  });
});
