import type { DuckDBConnection } from '@duckdb/node-api';
import type { Logger } from '../runtime/context.js';

/** How often a running query's progress is read. */
const POLL_MS = 250;

/**
 * Report the progress DuckDB tracks for the query `run` starts on `conn` (a scan of the data)
 * through the logger, until it settles. The connection needs `enable_progress_bar` (without
 * printing) set; DuckDB's percentage is by bytes read for files, so only it is reported.
 */
export async function withScanProgress<T>(conn: DuckDBConnection, log: Logger, run: () => Promise<T>): Promise<T> {
  const report = log.progress?.bind(log);
  if (!report) return run();
  let last = -1;
  const timer = setInterval(() => {
    const pct = Math.floor(conn.progress.percentage);
    if (pct >= 0 && pct !== last) report('Scanning the data', (last = pct), 100, '%');
  }, POLL_MS);
  timer.unref();
  try {
    return await run();
  } finally {
    clearInterval(timer);
    if (last >= 0) report('Scanning the data', 100, 100, '%');
  }
}
