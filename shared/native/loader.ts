import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pins from './pins.json' with { type: 'json' };
import { extractTarGz } from './tar.js';
import { UserError } from '../runtime/errors.js';
import { writeStreamHashed } from '../runtime/files.js';
import { retryPolicy } from '../http/retry.js';
import { bodyStream, httpTransport, redirectTransport, retryTransport } from '../http/transport.js';
import type { Logger } from '../runtime/context.js';
import { withoutCredentials } from '../lineage/url.js';

/** The project's one HTTP stack: retries with backoff, redirects followed by hand. */
const http = retryTransport(redirectTransport(httpTransport({ userAgent: 'mlops-actions-native-loader/1' })), retryPolicy());

/** Set by the bundler (scripts/build.mjs); absent when running from source with node_modules. */
declare const __MLOPS_BUNDLE__: boolean | undefined;
export const isBundle = typeof __MLOPS_BUNDLE__ !== 'undefined' && __MLOPS_BUNDLE__;

export interface NativePin {
  package: string;
  version: string;
  integrity: string;
}

/** `linux-x64`, `linux-x64-musl`, `darwin-arm64`, `win32-x64`... as the npm packages name them. */
export function platformKey(): string {
  const base = `${process.platform}-${process.arch}`;
  if (process.platform !== 'linux') return base;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? base : `${base}-musl`;
}

/** Where fetched native packages live: the runner's tool cache, else the user's cache dir. */
export function nativeCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.MLOPS_NATIVE_CACHE) return env.MLOPS_NATIVE_CACHE;
  if (env.RUNNER_TOOL_CACHE) return path.join(env.RUNNER_TOOL_CACHE, 'mlops-native');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mlops', 'native');
}

function registryUrl(env: Readonly<Record<string, string | undefined>>): string {
  return (env.MLOPS_NPM_REGISTRY || env.npm_config_registry || 'https://registry.npmjs.org').replace(/\/+$/, '');
}

/**
 * The pinned package as npm installed it in the first node_modules above `from` (Node's own
 * lookup): a checkout where `npm ci` ran (the demo, a self-hosted runner) needs no download. Used
 * only when its version and the sha512 npm verified the tarball against at install (recorded in
 * node_modules/.package-lock.json) equal the pin; else undefined and the package is fetched.
 */
export function installedPackage(pin: NativePin, from = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const modules = path.join(dir, 'node_modules');
    const pkg = path.join(modules, pin.package);
    if (fs.existsSync(path.join(pkg, 'package.json'))) {
      try {
        const installed = JSON.parse(fs.readFileSync(path.join(modules, '.package-lock.json'), 'utf8')) as { packages?: Record<string, { version?: string; integrity?: string }> };
        const entry = installed.packages?.[`node_modules/${pin.package}`];
        const manifest = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')) as { version?: string };
        return entry?.version === pin.version && entry.integrity === pin.integrity && manifest.version === pin.version ? pkg : undefined;
      } catch {
        return undefined; // no record of what npm verified: fetch our own
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Why a download failed is the network's or the registry's, not an input's: say what to check. */
function downloadFailure(what: string, title: 'network error' | 'download error', env: Readonly<Record<string, string | undefined>>): UserError {
  const proxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  const proxyNote = proxy && !env.NODE_USE_ENV_PROXY ? ' A proxy is set (HTTPS_PROXY) but Node uses it only with NODE_USE_ENV_PROXY=1: set that too.' : ' Behind a proxy, set HTTPS_PROXY and NODE_USE_ENV_PROXY=1.';
  return new UserError(what, {
    title,
    fix: `check the network and that the npm registry ${registryUrl(env)} is reachable from this machine, or set MLOPS_NPM_REGISTRY to a mirror (or MLOPS_NATIVE_CACHE to a directory holding the package, for machines without network).${proxyNote}`,
  });
}

/**
 * The directory of a pinned native npm package, fetched once from the npm registry, checked
 * against the lock file's sha512 integrity, extracted without path traversal and moved into
 * the cache atomically (two concurrent jobs never see a half-extracted package). `only`: keep
 * just this folder of the package (one platform's binaries of a multi-platform package).
 */
export async function ensureNativePackage(pin: NativePin, log: Logger, env = process.env, only?: string): Promise<string> {
  const dir = path.join(nativeCacheDir(env), pin.package, only ? `${pin.version}-${only.replace(/\//g, '-')}` : pin.version);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  const tmp = fs.mkdtempSync(path.join(nativeCacheDir(env), '.fetch-'));
  try {
    const name = pin.package.split('/').pop()!;
    const url = `${registryUrl(env)}/${pin.package}/-/${name}-${pin.version}.tgz`;
    log.info(`Fetching ${pin.package}@${pin.version} (native engine for ${platformKey()}) from ${withoutCredentials(url)}`);
    const tgz = path.join(tmp, 'package.tgz');
    let res: Response;
    try {
      res = await http({ method: 'GET', url: new URL(url) });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw downloadFailure(`could not download the ${pin.package} engine from ${url}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`, 'network error', env);
    }
    if (!res.ok || !res.body) throw downloadFailure(`could not download the ${pin.package} engine from ${url}: HTTP ${res.status}`, 'download error', env);
    const [algo, expected] = pin.integrity.split('-', 2) as [string, string];
    const actual = (await writeStreamHashed(bodyStream(res), tgz, { algorithm: algo, encoding: 'base64' })).hash;
    if (actual !== expected) {
      throw new UserError(`integrity mismatch for ${url}: expected ${algo}-${expected}, got ${algo}-${actual}; nothing was installed`, {
        title: 'download error',
        fix: 'the registry served a different file than the one pinned in shared/native/pins.json: check MLOPS_NPM_REGISTRY / npm_config_registry points at a faithful mirror',
      });
    }
    const staged = path.join(tmp, 'package');
    await extractTarGz(tgz, staged, 1, only ? (p) => p.startsWith(`${only}/`) : undefined);
    fs.writeFileSync(path.join(staged, '.complete'), `${pin.integrity}\n`);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      fs.renameSync(staged, dir);
    } catch (e) {
      // Another job finished first: its copy is identical (same integrity).
      if (!fs.existsSync(path.join(dir, '.complete'))) throw e;
    }
    return dir;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Paths the bundled stand-ins for native packages load from (see scripts/build.mjs). */
export const nativePaths: Record<string, string> = ((globalThis as Record<string, unknown>).__mlopsNativePaths ??= {}) as Record<string, string>;

/** Make DuckDB's native binding loadable: a no-op from source, a cached fetch in a bundle. */
export async function ensureDuckDBBinding(log: Logger, env = process.env): Promise<void> {
  if (!isBundle || nativePaths.duckdb) return;
  const key = platformKey();
  const pin = (pins.duckdb as Record<string, NativePin>)[key];
  if (!pin) throw new UserError(`no DuckDB engine is published for ${key}`, { fix: `run on one of: ${Object.keys(pins.duckdb).join(', ')}` });
  nativePaths.duckdb = path.join(await nativePackage(pin, 'duckdb.node', log, env), 'duckdb.node');
}

/** A pinned package's directory: npm's copy when it matches the pin and holds `file`, else our verified fetch (only `only` of it). */
async function nativePackage(pin: NativePin, file: string, log: Logger, env: NodeJS.ProcessEnv, only?: string): Promise<string> {
  const installed = installedPackage(pin);
  if (installed && fs.existsSync(path.join(installed, file))) {
    log.debug(`${pin.package}@${pin.version}: using ${installed} (installed by npm; version and integrity match the pin)`);
    return installed;
  }
  fs.mkdirSync(nativeCacheDir(env), { recursive: true });
  return ensureNativePackage(pin, log, env, only);
}

/** The folder of onnxruntime-node holding one platform's binaries (`linux/amd64` -> bin/napi-v6/linux/x64). */
export function onnxRuntimeFolder(os: string, arch: string): string {
  const a = arch === 'amd64' ? 'x64' : arch;
  return `bin/napi-v6/${os}/${a}`;
}

/** ONNX Runtime's binaries for another platform (an image's), fetched and verified like our own. */
export async function onnxRuntimeFor(os: string, arch: string, log: Logger, env = process.env): Promise<string> {
  const folder = onnxRuntimeFolder(os, arch);
  const dir = path.join(await nativePackage(pins.onnxruntime, `${folder}/onnxruntime_binding.node`, log, env, folder), folder);
  if (!fs.existsSync(path.join(dir, 'onnxruntime_binding.node'))) throw new UserError(`onnxruntime-node ${pins.onnxruntime.version} has no binaries for ${os}/${arch}`, { where: { input: 'platforms' } });
  return dir;
}

/** Make ONNX Runtime's native binding loadable; only this platform's binaries are kept. */
export async function ensureOnnxRuntimeBinding(log: Logger, env = process.env): Promise<void> {
  if (!isBundle || nativePaths.onnxruntime) return;
  // Inside a model-server image the binding ships in a layer (build-image sets this).
  if (env.MLOPS_ONNXRUNTIME_BINDING) {
    nativePaths.onnxruntime = env.MLOPS_ONNXRUNTIME_BINDING;
    return;
  }
  const folder = onnxRuntimeFolder(process.platform, process.arch);
  const dir = await nativePackage(pins.onnxruntime, `${folder}/onnxruntime_binding.node`, log, env, folder);
  const file = path.join(dir, folder, 'onnxruntime_binding.node');
  if (!fs.existsSync(file)) throw new UserError(`onnxruntime-node ${pins.onnxruntime.version} has no binaries for ${process.platform}/${process.arch}`, { fix: 'run on linux, macOS or Windows, x64 or arm64' });
  nativePaths.onnxruntime = file;
}
