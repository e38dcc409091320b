import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PredictionLog, type PredictionRecord } from '../../shared/serving/prediction-log.js';
import type { Logger } from '../../shared/runtime/context.js';
import { tempDir } from '../harness/temp.js';

const quiet: Logger = { info: () => {}, warn: () => {}, debug: () => {}, group: (_name, fn) => fn() };
const record = (id: string, row = 0): PredictionRecord => ({ time: '2026-12-01T00:00:00.000Z', model: 'm', version: '1', id, row, inputs: { x: 1 }, outputs: { label: 'a' } });

describe('prediction log', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes the lines of all requests answered in one turn of the event loop in one write, whole lines in order', async () => {
    const dir = tempDir('predlog-');
    const file = path.join(dir, 'log.jsonl');
    const log = new PredictionLog({ target: file, sample: 1, log: quiet });
    const writes = vi.spyOn(fs.WriteStream.prototype, 'write');
    log.write([record('a', 0), record('a', 1)]);
    log.write([record('b')]);
    log.write([record('c')]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toHaveBeenCalledTimes(1);
    log.write([record('d')]);
    await log.close();
    expect(writes).toHaveBeenCalledTimes(2);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as PredictionRecord).id)).toEqual(['a', 'a', 'b', 'c', 'd']);
  });
});
