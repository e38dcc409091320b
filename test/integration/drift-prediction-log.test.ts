import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { columnOf } from '../../shared/drift/profile-fields.js';
import { PREDICTION_COLUMN, profilePredictionLog } from '../../shared/drift/prediction-log.js';
import { UserError } from '../../shared/runtime/errors.js';
import { testContext } from '../harness/context.js';
import { tempDir } from '../harness/temp.js';

/** Lines as the model server writes them (docs/serving.md, shared/serving/prediction-log.ts). */
const line = (i: number, outputs: object) => JSON.stringify({ time: '2026-05-01T12:00:00.000Z', model: 'weather', version: '3', id: String(i), row: 0, inputs: { wind: i / 10, kind: i % 2 ? 'a' : 'b', gust: i % 5 ? i : null }, outputs });

describe('current from the prediction log', () => {
  it('reads the features as columns and the predicted class or value as `prediction`, from a directory of files (gzip too)', async () => {
    const ws = tempDir('mlops-log-');
    fs.mkdirSync(path.join(ws, 'logs'));
    fs.writeFileSync(path.join(ws, 'logs/a.jsonl'), Array.from({ length: 30 }, (_, i) => line(i, { label: i % 3 ? 'sun' : 'rain', probabilities: { rain: 0.4, sun: 0.6 } })).join('\n') + '\n\n');
    fs.writeFileSync(path.join(ws, 'logs/b.jsonl.gz'), zlib.gzipSync(Array.from({ length: 10 }, (_, i) => line(30 + i, { label: 'sun' })).join('\n') + '\n'));
    const p = await profilePredictionLog('logs', 'current', testContext(ws));
    expect(p.rows).toBe(40);
    expect(p.source.files.map((f) => f.path)).toEqual(['logs/a.jsonl', 'logs/b.jsonl.gz']);
    expect(columnOf(p, PREDICTION_COLUMN)!.values!.counts).toEqual([['sun', 30], ['rain', 10]]);
    expect(columnOf(p, 'wind')!.numeric!.max).toBeCloseTo(3.9);
    expect(columnOf(p, 'gust')!.nulls).toBe(8);

    fs.writeFileSync(path.join(ws, 'reg.jsonl'), [line(1, { value: 2.5 }), line(2, { value: 3.5 })].join('\n'));
    const reg = await profilePredictionLog('reg.jsonl', 'current', testContext(ws));
    expect(columnOf(reg, PREDICTION_COLUMN)!.numeric!.mean).toBe(3);
  });

  it('names the file and line of a line that is not the server\'s', async () => {
    const ws = tempDir('mlops-log-');
    fs.writeFileSync(path.join(ws, 'log.jsonl'), `${line(1, { label: 'sun' })}\n{"inputs": [1]}\n`);
    const e = await profilePredictionLog('log.jsonl', 'current', testContext(ws)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e).toMatchObject({ where: { file: 'log.jsonl', line: 2 } });
    expect((e as Error).message).toMatch(/not a prediction log line: inputs/);
    fs.writeFileSync(path.join(ws, 'rows.csv'), 'a\n1\n');
    await expect(profilePredictionLog('rows.csv', 'current', testContext(ws))).rejects.toThrow(/a prediction log is JSON Lines, not csv/);
  });
});
