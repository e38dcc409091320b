// Write a wide CSV for the validate-data-wide benchmark, deterministically (hash, not random()):
// every 10th column is a category (5 values), then an integer (0..99), a date (1,500 days), and
// seven floats with two decimals (nearly every value distinct). Also OUT.schema.yml: type and
// range checks on every integer column, a row count check.
//
//   node bench/validate-data/wide-data.mjs COLUMNS ROWS OUT.csv
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [columns, rows, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
if (!(columns > 0 && rows > 0 && out)) throw new Error('usage: wide-data.mjs COLUMNS ROWS OUT.csv');
const value = (k) => {
  const h = `hash(range * ${columns} + ${k})`;
  switch (k % 10) {
    case 0: return `'k' || (${h} % 5) AS c${k}`;
    case 1: return `CAST(${h} % 100 AS INTEGER) AS c${k}`;
    case 2: return `DATE '2020-01-01' + CAST(${h} % 1500 AS INTEGER) AS c${k}`;
    default: return `CAST(${h} % 1000000 AS DOUBLE) / 100 AS c${k}`;
  }
};
const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await db.connect();
const select = Array.from({ length: columns }, (_, k) => value(k)).join(', ');
await conn.run(`COPY (SELECT ${select} FROM range(${rows})) TO '${out}.tmp' (FORMAT csv, HEADER)`);
fs.renameSync(`${out}.tmp`, out);
const rules = Array.from({ length: columns }, (_, k) => k).filter((k) => k % 10 === 1).map((k) => `  c${k}: { type: int, min: 0, max: 99, nullable: false }`);
fs.writeFileSync(`${out}.schema.yml`, ['table:', `  rows: { min: ${rows} }`, 'columns:', ...rules, ''].join('\n'));
conn.closeSync();
db.closeSync();
