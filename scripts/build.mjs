// Bundles each actions/<name>/main.ts into actions/<name>/dist/index.js (with chunks shared by
// all actions in dist/), the CLI into cli/dist/mlops.js (chunks in cli/dist/chunks, the server
// and cli/LICENSE beside it for the npm package) and the model server into
// actions/build-image/dist/server.mjs. `--check` rebuilds into memory and fails when a committed
// file differs or a chunk no longer built is left.
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
    // @actions/core imports its OIDC client (and with it @actions/http-client and undici, ~420 KB
    // minified) at load, for getIDToken alone, which we never call: load it on that call instead,
    // so no action parses undici before it needs HTTP.
    build.onLoad({ filter: /@actions[\\/]core[\\/]lib[\\/]core\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const eager = "import { OidcClient } from './oidc-utils.js';";
      const call = 'return yield OidcClient.getIDToken(aud);';
      if (!source.includes(eager) || !source.includes(call)) throw new Error('@actions/core changed how it loads its OIDC client: update scripts/build.mjs');
      return { contents: source.replace(eager, '').replace(call, "return yield (yield import('./oidc-utils.js')).OidcClient.getIDToken(aud);"), loader: 'js', resolveDir: path.dirname(args.path) };
    });
    build.onLoad({ filter: /onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const computed = /require\(`\.\.\/bin\/napi-v6\/\$\{process\.platform\}\/\$\{process\.arch\}\/onnxruntime_binding\.node`\)/;
      if (!computed.test(source)) throw new Error('onnxruntime-node changed how it loads its binding: update scripts/build.mjs');
      return { contents: source.replace(computed, `require(${JSON.stringify(path.join(root, 'shared/native/onnxruntime-binding.cjs'))})`), loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

const actionNames = fs
  .readdirSync(path.join(root, 'actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, 'actions', d.name, 'main.ts')))
  .map((d) => d.name);

/**
 * Three builds. The actions: one esbuild run over every actions/<name>/main.ts with code
 * splitting, so what several actions use (zod, octokit, DuckDB's API...) is one chunk under
 * dist/ at the root (a runner checks out the whole repository for `uses:`), and each action's
 * code is a chunk its entry imports only once its inputs parsed (actions/registry.ts). The CLI:
 * the same, into cli/dist/ (the npm package holds only cli/). The model server: one file,
 * `node /opt/mlops/server.mjs` in the images, with a copy in the CLI package.
 */
const builds = [
  {
    entryPoints: actionNames.map((name) => ({ in: `actions/${name}/main.ts`, out: `actions/${name}/dist/index` })),
    outdir: '.',
    splitting: true,
    chunkNames: 'dist/[name]-[hash]',
    owns: ['dist'],
  },
  { entryPoints: [{ in: 'cli/mlops.ts', out: 'mlops' }], outdir: 'cli/dist', splitting: true, chunkNames: 'chunks/[name]-[hash]', owns: ['cli/dist/chunks'], executable: 'cli/dist/mlops.js' },
  { entryPoints: [{ in: 'shared/serving/main.ts', out: 'server' }], outdir: 'actions/build-image/dist', outExtension: { '.js': '.mjs' }, owns: [] },
  { entryPoints: [{ in: 'shared/serving/main.ts', out: 'server' }], outdir: 'cli/dist', outExtension: { '.js': '.mjs' }, owns: [] },
];

const stale = [];
for (const b of builds) {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: b.entryPoints,
    outdir: b.outdir,
    splitting: b.splitting ?? false,
    chunkNames: b.chunkNames,
    outExtension: b.outExtension,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    // Smaller files to check out and parse; names kept so a bug's stack trace stays readable.
    minify: true,
    keepNames: true,
    loader: { '.yml': 'text' },
    // Free uses of __filename / __dirname (CommonJS dependencies) get the bundle's own; modules that
    // declare their own keep them.
    define: { __MLOPS_BUNDLE__: 'true', __filename: '__mlopsFilename', __dirname: '__mlopsDirname' },
    plugins: [nativeStandIns],
    legalComments: 'none',
    logLevel: 'warning',
    // CommonJS dependencies expect require, __filename and __dirname: give them the ESM equivalents
    // (in every output file: each chunk is its own module).
    banner: {
      js: `import { createRequire as __mlopsCreateRequire } from 'node:module';\nimport { fileURLToPath as __mlopsFileURLToPath } from 'node:url';\nconst require = __mlopsCreateRequire(import.meta.url);\nconst __mlopsFilename = __mlopsFileURLToPath(import.meta.url);\nconst __mlopsDirname = __mlopsFileURLToPath(new URL('.', import.meta.url));`,
    },
  });
  const outputs = new Map(result.outputFiles.map((f) => {
    const file = path.relative(root, f.path);
    return [file, (file === b.executable ? '#!/usr/bin/env node\n' : '') + f.text];
  }));
  // Chunk directories hold only this build's files: a chunk no longer built is stale too.
  const owned = b.owns.flatMap((dir) => (fs.existsSync(path.join(root, dir)) ? fs.readdirSync(path.join(root, dir)).map((f) => path.join(dir, f)) : []));
  if (check) {
    for (const [file, text] of outputs) if (!fs.existsSync(path.join(root, file)) || fs.readFileSync(path.join(root, file), 'utf8') !== text) stale.push(file);
    for (const file of owned) if (!outputs.has(file)) stale.push(`${file} (not built any more)`);
    continue;
  }
  for (const dir of b.owns) fs.rmSync(path.join(root, dir), { recursive: true, force: true });
  let bytes = 0;
  for (const [file, text] of outputs) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text, { mode: file === b.executable ? 0o755 : 0o644 });
    bytes += text.length;
  }
  console.log(`built ${[...outputs.keys()].filter((f) => !b.owns.some((d) => f.startsWith(d))).join(', ')} and ${outputs.size} file(s) in all (${(bytes / 1048576).toFixed(1)} MiB)`);
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
