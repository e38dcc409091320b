import path from 'node:path';
// predict stages its output in parts on the engine's side connection while a stream of the input
// is open on the main one. Tables staged and dropped there must be freed part by part, not kept
// alive for the whole scan (DuckDB's MVCC keeps what a still-open transaction could see, when
// both share a database): that is what keeps predict's memory flat in the rows.
import { describe, expect, it } from 'vitest';
import { openEngine } from '../../shared/data/engine.js';
import { importCommonJs } from '../../shared/runtime/import.js';
import { testContext } from '../harness/context.js';
import { tempDir } from '../harness/temp.js';

const dir = tempDir('mlops-engine-side-');

/** Stage and drop eight parts on the side connection during a scan of a Parquet file; the RSS growth. */
async function stagedBytesWhileStreaming(): Promise<{ side: number; rowsStreamed: number }> {
  const { DuckDBDataChunk, DOUBLE } = await importCommonJs(() => import('@duckdb/node-api'));
  const before = process.memoryUsage().rss;
  const engine = await openEngine({ log: testContext(dir).log, tempDir: dir, threads: 2 });
  try {
    const side = await engine.sideConnection();
    const file = path.join(dir, 'input.parquet');
    await engine.query(`COPY (SELECT range AS i, random() AS x FROM range(400000)) TO '${file}' (FORMAT parquet)`);
    let rowsStreamed = 0;
    let parts = 0;
    await engine.streamChunks(`SELECT * FROM read_parquet('${file}')`, async (rows) => {
      rowsStreamed += rows.length;
      if (rowsStreamed % 40960 !== 0 || parts >= 8) return;
      parts++;
      // A part: 2M rows appended (16 MB of doubles), then dropped, as predict's writePart does.
      await side.run('CREATE TABLE staging (a DOUBLE)');
      const appender = await side.createAppender('staging');
      const chunk = DuckDBDataChunk.create([DOUBLE]);
      const values = Array.from({ length: 2048 }, (_, k) => k / 3);
      for (let n = 0; n < 2_000_000; n += 2048) {
        chunk.reset();
        chunk.setColumns([values]);
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
      await side.run('DROP TABLE staging');
    });
    return { side: process.memoryUsage().rss - before, rowsStreamed };
  } finally {
    engine.close();
  }
}

describe('engine.sideConnection', () => {
  it('is a database of its own: it cannot see the main one', async () => {
    const engine = await openEngine({ log: testContext(dir).log, tempDir: dir, threads: 1 });
    try {
      await engine.query('CREATE TABLE only_main AS SELECT 1 AS x');
      const side = await engine.sideConnection();
      await expect(side.run('SELECT * FROM only_main')).rejects.toThrow(/only_main/);
    } finally {
      engine.close();
    }
  });

  it('frees tables dropped there while a stream is open on the main connection', async () => {
    const { side, rowsStreamed } = await stagedBytesWhileStreaming();
    expect(rowsStreamed).toBe(400000);
    // The process's growth over the scan (the engines, the Parquet file, one part at a time):
    // ~85 MB here when each part is freed; with the eight 16 MB parts kept alive, ~235 MB.
    expect(side).toBeLessThan(150 * 1024 * 1024);
  });
});
