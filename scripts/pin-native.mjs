// Writes shared/native/pins.json from package-lock.json: the exact version and integrity of
// each platform's native DuckDB binding and of onnxruntime-node (one package, every platform),
// which bundles fetch at run time (docs/native-modules.md).
import fs from 'node:fs';

const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const pins = {};
for (const [key, entry] of Object.entries(lock.packages)) {
  const m = /^node_modules\/(@duckdb\/node-bindings-(.+))$/.exec(key);
  if (!m || !entry.integrity) continue;
  pins[m[2]] = { package: m[1], version: entry.version, integrity: entry.integrity };
}
const ort = lock.packages['node_modules/onnxruntime-node'];
const onnxruntime = { package: 'onnxruntime-node', version: ort.version, integrity: ort.integrity };
const out = JSON.stringify({ duckdb: pins, onnxruntime }, null, 2) + '\n';
if (process.argv.includes('--check')) {
  if (fs.readFileSync('shared/native/pins.json', 'utf8') !== out) {
    console.error('shared/native/pins.json is stale: run `npm run build`');
    process.exit(1);
  }
} else fs.writeFileSync('shared/native/pins.json', out);
