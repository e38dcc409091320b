// Bundles each actions/<name>/main.ts into actions/<name>/dist/index.js and the CLI into
// cli/dist/mlops.js (with cli/dist/server.mjs and cli/LICENSE for the CLI package). `--check` rebuilds into memory and fails when a committed bundle differs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');

/** Native packages are not bundled: stand-ins load them from the cache (shared/native/loader.ts). */
const nativeStandIns = {
  name: 'native-stand-ins',
  setup(build) {
    build.onResolve({ filter: /^@duckdb\/node-bindings$/ }, () => ({ path: path.join(root, 'shared/native/duckdb-bindings.cjs') }));
    // dockerode pulls in ssh2, whose optional native helpers (SSH transports only, which we never
    // use) cannot be bundled, and may not even be built (npm ci runs no install scripts): they
    // become empty modules. Our own engines load through the stand-ins and never get here.
    build.onResolve({ filter: /\.node$/ }, (args) => ({ path: args.path, namespace: 'unused-native' }));
    build.onLoad({ filter: /.*/, namespace: 'unused-native' }, () => ({ contents: '', loader: 'js' }));
    // onnxruntime-node requires its binding by a computed path; point that one require at the stand-in.
    build.onLoad({ filter: /onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const computed = /require\(`\.\.\/bin\/napi-v6\/\$\{process\.platform\}\/\$\{process\.arch\}\/onnxruntime_binding\.node`\)/;
      if (!computed.test(source)) throw new Error('onnxruntime-node changed how it loads its binding: update scripts/build.mjs');
      return { contents: source.replace(computed, `require(${JSON.stringify(path.join(root, 'shared/native/onnxruntime-binding.cjs'))})`), loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

const targets = fs
  .readdirSync(path.join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, 'actions', d.name, 'main.ts')))
  .map((d) => ({ entry: `actions/${d.name}/main.ts`, out: `actions/${d.name}/dist/index.js`, banner: '' }));
targets.push({ entry: 'cli/mlops.ts', out: 'cli/dist/mlops.js', banner: '#!/usr/bin/env node\n' });
// The model server that build-image puts into images (`node /opt/mlops/server.mjs`); the CLI
// package (cli/package.json, published on its own) carries its own copy beside mlops.js.
targets.push({ entry: 'shared/serving/main.ts', out: 'actions/build-image/dist/server.mjs', banner: '' });
targets.push({ entry: 'shared/serving/main.ts', out: 'cli/dist/server.mjs', banner: '' });

let stale = [];
for (const t of targets) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [t.entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    outfile: t.out,
    loader: { '.yml': 'text' },
    // Free uses of __filename / __dirname (CommonJS dependencies) get the bundle's own; modules that
    // declare their own keep them.
    define: { __MLOPS_BUNDLE__: 'true', __filename: '__mlopsFilename', __dirname: '__mlopsDirname' },
    plugins: [nativeStandIns],
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS dependencies expect require, __filename and __dirname: give them the ESM equivalents.
    banner: {
      js: `${t.banner}import { createRequire as __mlopsCreateRequire } from 'node:module';\nimport { fileURLToPath as __mlopsFileURLToPath } from 'node:url';\nconst require = __mlopsCreateRequire(import.meta.url);\nconst __mlopsFilename = __mlopsFileURLToPath(import.meta.url);\nconst __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));`,
    },
  });
  const text = result.outputFiles[0].text;
  const file = path.join(root, t.out);
  if (check) {
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) stale.push(t.out);
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: t.banner ? 0o755 : 0o644 });
    console.log(`built ${t.out} (${(text.length / 1024).toFixed(0)} KiB)`);
  }
}
// The CLI package ships the license text beside its bundle (npm packs only its own directory).
const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
const cliLicense = path.join(root, 'cli/LICENSE');
if (check) {
  if (!fs.existsSync(cliLicense) || fs.readFileSync(cliLicense, 'utf8') !== license) stale.push('cli/LICENSE');
} else {
  fs.writeFileSync(cliLicense, license);
}
if (stale.length) {
  console.error(`stale bundles (run \`npm run build\` and commit): ${stale.join(', ')}`);
  process.exit(1);
}
