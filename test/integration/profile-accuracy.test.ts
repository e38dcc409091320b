import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateData } from '../../actions/validate-data/validate-data.js';
import { type Engine, openEngine, quoteIdent } from '../../shared/data/engine.js';
import { decodeRegisters, INTEGER_WINDOW, mergeProfiles, parseProfile, type Profile, QUANTILES, VALUES_LIMIT } from '../../shared/data/profile.js';
import { bucketIndexSql, sortKeys } from '../../shared/stats/sketch.js';
import { resolveData } from '../../shared/data/source.js';
import { openTable } from '../../shared/data/table.js';
import * as hll from '../../shared/stats/hll.js';
import { testContext } from '../harness/context.js';
import { REPO_ROOT, workspaceWith } from '../harness/runner.js';

const vega = (name: string) => fs.readFileSync(path.join(REPO_ROOT, 'node_modules/vega-datasets/data', name));

/** A CSV's header plus the rows [from, to) of its body. */
function shard(csv: Buffer, from: number, to: number): string {
  const [header, ...body] = csv.toString().trimEnd().split('\n');
  return [header, ...body.slice(from, to)].join('\n') + '\n';
}

let ws: string;
let engine: Engine;

/** `schema`: zip codes as text, as in every shard (0-padded codes make the first shard's text). */
async function profileOf(data: string, schema?: string): Promise<Profile> {
  const out = `profiles/${data.replace(/\W/g, '_')}.json`;
  await validateData({ data, schema, 'infer-schema': undefined, profile: out, report: `${out}.report.json`, 'fail-on': 'error' }, testContext(ws));
  return parseProfile(JSON.parse(fs.readFileSync(path.join(ws, out), 'utf8')), out);
}

/** Exact answers from DuckDB over the data as validate-data reads it. */
async function exact<T>(data: string, sql: (view: string) => string, pick: (rows: Record<string, unknown>[]) => T): Promise<T> {
  await openTable(engine, await resolveData(data, ws));
  return pick(await engine.query(sql('data')));
}

const distinctOf = (data: string, column: string) =>
  exact(data, (v) => `SELECT count(DISTINCT CAST(${quoteIdent(column)} AS VARCHAR)) AS n FROM ${v}`, (r) => Number(r[0]!.n));

/** Distinct never above the non-null count, exact when marked so, else within 2%. */
async function expectDistinctRight(p: Profile, data: string): Promise<void> {
  for (const c of p.columns) {
    const truth = await distinctOf(data, c.name);
    expect(c.distinct.value, `${data} ${c.name}`).toBeLessThanOrEqual(c.count);
    if (c.distinct.exact) expect(c.distinct.value, `${data} ${c.name}`).toBe(truth);
    else expect(Math.abs(c.distinct.value - truth) / truth, `${data} ${c.name}: ${c.distinct.value} for ${truth}`).toBeLessThanOrEqual(0.02);
    if (truth <= VALUES_LIMIT) expect(c.values?.complete, `${data} ${c.name} keeps every value's count`).toBe(true);
  }
}

/** p1..p99 of a datetime column equal the values at rank q*(n-1), to the second. */
async function expectTimeQuantilesExact(p: Profile, data: string, column: string): Promise<void> {
  const c = p.columns.find((x) => x.name === column)!;
  expect(c.kind).toBe('datetime');
  for (const q of QUANTILES) {
    const truth = await exact(
      data,
      (v) => `SELECT epoch(${quoteIdent(column)}) AS t FROM ${v} WHERE ${quoteIdent(column)} IS NOT NULL ORDER BY 1 LIMIT 1 OFFSET ${Math.floor(q * (c.count - 1))}`,
      (r) => Number(r[0]!.t),
    );
    expect(c.numeric!.quantiles[`p${Math.round(q * 100)}`], `${data} ${column} p${q * 100}`).toBe(truth);
  }
}

beforeAll(async () => {
  const zip = vega('zipcodes.csv');
  const weather = vega('seattle-weather.csv');
  ws = workspaceWith({
    'zipcodes.csv': zip,
    'zip.yml': 'columns:\n  zip_code: { type: string }\n',
    'zip/a.csv': shard(zip, 0, 14000),
    'zip/b.csv': shard(zip, 14000, 28000),
    'zip/c.csv': shard(zip, 28000, 50000),
    'birdstrikes.csv': vega('birdstrikes.csv'),
    'weather.csv': weather,
    'weather/a.csv': shard(weather, 0, 700),
    'weather/b.csv': shard(weather, 700, 5000),
    'flights.parquet': vega('flights-3m.parquet'),
    // wide: 30,011 values across the scan's integer window, and NULLs; mid: 1,500 values inside it; few: 7;
    // sparse: 2,500 values outside it, and NULLs (most registers empty: a hashed NULL would show).
    'ints.csv': `wide,mid,few,sparse\n${Array.from({ length: 50000 }, (_, i) => `${i % 1000 === 0 ? '' : ((i * 37) % 30011) - 15000},${(i % 1500) - 700},${i % 7},${i % 1000 === 1 ? '' : 100000 + 3 * (i % 2500)}`).join('\n')}\n`,
  });
  engine = await openEngine({ log: testContext(ws).log, tempDir: ws });
});

afterAll(() => {
  engine?.close();
  if (ws) fs.rmSync(ws, { recursive: true, force: true });
});

describe('distinct counts on real data (vega-datasets)', () => {
  it('zip codes: never above the rows, exact where counted, else within 2%', async () => {
    const p = await profileOf('zipcodes.csv');
    expect(p.rows).toBe(42049);
    await expectDistinctRight(p, 'zipcodes.csv');
    const zip = p.columns.find((c) => c.name === 'zip_code')!;
    expect(zip.distinct.value).toBeLessThanOrEqual(42049);
    expect(zip.distinct.hll).toBeDefined();
  });

  it('birdstrikes: every column, low and high cardinality', async () => {
    await expectDistinctRight(await profileOf('birdstrikes.csv'), 'birdstrikes.csv');
  });

  it('the merge of shards estimates the union within 2%, also when complete shards make an incomplete union', async () => {
    const [a, b, c] = [await profileOf('zip/a.csv', 'zip.yml'), await profileOf('zip/b.csv', 'zip.yml'), await profileOf('zip/c.csv', 'zip.yml')];
    const merged = mergeProfiles(mergeProfiles(a, b), c);
    expect(merged.rows).toBe(42049);
    await openTable(engine, await resolveData('zip', ws), { zip_code: 'VARCHAR' });
    for (const col of merged.columns) {
      const [row] = await engine.query(`SELECT count(DISTINCT CAST(${quoteIdent(col.name)} AS VARCHAR)) AS n FROM data`);
      const truth = Number(row!.n);
      expect(col.distinct.value, col.name).toBeLessThanOrEqual(col.count);
      if (col.distinct.exact) expect(col.distinct.value, col.name).toBe(truth);
      else expect(Math.abs(col.distinct.value - truth) / truth, `${col.name}: ${col.distinct.value} for ${truth}`).toBeLessThanOrEqual(0.02);
    }
    // county: under the limit in each shard (every value kept), over it in the union (1,929).
    const county = (p: Profile) => p.columns.find((x) => x.name === 'county')!;
    expect(a.columns.find((x) => x.name === 'county')!.values!.complete).toBe(true);
    expect(county(merged).values!.complete).toBe(false);
    expect(county(merged).values!.counts).toHaveLength(100);
    // Two shards that kept every value: the union's count is exact; after a cut to the top 100, an estimate.
    const ab = mergeProfiles(a, b);
    await openTable(engine, await resolveData('zip/a.csv\nzip/b.csv', ws), { zip_code: 'VARCHAR' });
    const [both] = await engine.query(`SELECT count(DISTINCT county) AS n FROM data`);
    expect(county(ab).values!.complete).toBe(false);
    expect(county(ab).distinct).toMatchObject({ value: Number(both!.n), exact: true });
    expect(Number(both!.n)).toBeGreaterThan(VALUES_LIMIT);
    // latitude: past the limit in every shard, so the union's count is the sketches' estimate.
    expect(merged.columns.find((x) => x.name === 'latitude')!.distinct.exact).toBe(false);
  });
});

describe('datetime quantiles to the data resolution', () => {
  it('dates (seattle-weather): every quantile is the exact day, also after a merge of shards', async () => {
    const whole = await profileOf('weather.csv');
    await expectTimeQuantilesExact(whole, 'weather.csv', 'date');
    const merged = mergeProfiles(await profileOf('weather/a.csv'), await profileOf('weather/b.csv'));
    const day = (p: Profile) => p.columns.find((c) => c.name === 'date')!.numeric!;
    expect(day(merged).quantiles).toEqual(day(whole).quantiles);
    expect(day(merged).timeline).toEqual(day(whole).timeline);
  });

  it('timestamps (flights, 3M rows, to the minute): every quantile exact', async () => {
    await expectTimeQuantilesExact(await profileOf('flights.parquet'), 'flights.parquet', 'date');
  });
});

describe('integers counted in the scan', () => {
  it(`inside and outside [-${INTEGER_WINDOW}, ${INTEGER_WINDOW}): the sketch, value counts and registers of every non-null value`, async () => {
    const p = await profileOf('ints.csv');
    for (const name of ['wide', 'mid', 'few', 'sparse']) {
      const c = p.columns.find((x) => x.name === name)!;
      const q = quoteIdent(name);
      const x = `CAST(${q} AS DOUBLE)`;
      const truth = await exact(
        'ints.csv',
        (v) =>
          `SELECT to_json(histogram(CASE WHEN ${x} >= 1e-9 THEN ${bucketIndexSql(x)} END))::VARCHAR AS pos, to_json(histogram(CASE WHEN ${x} <= -1e-9 THEN ${bucketIndexSql(`-${x}`)} END))::VARCHAR AS neg, ` +
          `count(CASE WHEN ${q} = 0 THEN 1 END) AS zeros, to_json(list(DISTINCT CAST(${q} AS VARCHAR)))::VARCHAR AS texts, to_json(histogram(${q}))::VARCHAR AS counts FROM ${v}`,
        (r) => r[0]!,
      );
      expect(c.numeric!.sketch, name).toEqual({ zeros: Number(truth.zeros), positive: sortKeys(JSON.parse(String(truth.pos)) ?? {}), negative: sortKeys(JSON.parse(String(truth.neg)) ?? {}) });
      const texts = (JSON.parse(String(truth.texts)) as (string | null)[]).filter((t) => t !== null);
      const regs = hll.empty();
      for (const t of texts) hll.add(regs, t);
      if (texts.length > VALUES_LIMIT) expect(decodeRegisters(c.distinct.hll!), name).toEqual(regs);
      else expect(c.values, name).toEqual({ counts: Object.entries(JSON.parse(String(truth.counts))).sort((a, b) => (b[1] as number) - (a[1] as number) || (a[0] < b[0] ? -1 : 1)), complete: true, other: 0 });
    }
    const byName = Object.fromEntries(p.columns.map((c) => [c.name, c]));
    expect(byName.mid!.distinct).toMatchObject({ value: 1500, exact: true });
    expect(byName.wide!.distinct.exact).toBe(false);
    expect(byName.wide!.nulls).toBe(50);
    expect(byName.sparse!.distinct.exact).toBe(false);
    await expectDistinctRight(p, 'ints.csv');
  });
});

describe('the distinct-count hash', () => {
  it("is DuckDB's hash() of the value's text, so kept values can join a sketch at merge", async () => {
    const texts = ['', 'a', '1234567', '12345678', '123456789012', '1234567890123', 'Zürich ✓ 東京', '2012-01-01', '-0.5', 'x'.repeat(100)];
    for (const t of texts) {
      const [row] = await engine.query(`SELECT CAST(hash(CAST('${t.replace(/'/g, "''")}' AS VARCHAR)) AS VARCHAR) AS h`);
      expect(BigInt(String(row!.h)), JSON.stringify(t)).toBe(hll.hashText(t));
    }
  });

  it('the registers one aggregate of the scan takes (bitsSql) are those of adding each value in JavaScript', async () => {
    const texts = Array.from({ length: 20000 }, (_, i) => `v${(i * 7919) % 15000}`);
    const [row] = await engine.query(`SELECT ${hll.bitsSql('t')} AS bits FROM (SELECT unnest([${texts.map((t) => `'${t}'`).join(', ')}]) AS t)`);
    const regs = hll.empty();
    for (const t of texts) hll.add(regs, t);
    expect(hll.fromBits(row!.bits as Uint8Array)).toEqual(regs);
    // NULLs are no value (DuckDB's hash() hashes NULL too, so it is filtered out).
    const [none] = await engine.query(`SELECT ${hll.bitsSql('t')} AS bits FROM (SELECT CAST(NULL AS VARCHAR) AS t FROM range(3))`);
    expect(hll.fromBits(none!.bits as Uint8Array | null)).toEqual(hll.empty());
  });
});

describe('profile versions', () => {
  it('a version 1 profile is refused with what to do', () => {
    expect(() => parseProfile({ schemaVersion: 1, kind: 'mlops/profile', rows: 1, columns: [] }, 'old.json')).toThrow(/schemaVersion 1 is not supported[\s\S]*/);
    try {
      parseProfile({ schemaVersion: 1, kind: 'mlops/profile' }, 'old.json');
    } catch (e) {
      expect((e as { fix?: string }).fix).toMatch(/run validate-data again/);
    }
  });
});
