// Stand-in for @duckdb/node-bindings inside bundles: loads the native binding that
// ensureDuckDBBinding() fetched into the cache (shared/native/loader.ts).
const file = globalThis.__mlopsNativePaths && globalThis.__mlopsNativePaths.duckdb;
if (!file) throw new Error('DuckDB binding not prepared: call ensureDuckDBBinding() before importing @duckdb/node-api');
module.exports = require(file);
