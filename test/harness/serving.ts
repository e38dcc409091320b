import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { freePort } from './server.js';
import { NODE24, REPO_ROOT } from './runner.js';
import { tempDir } from './temp.js';

/**
 * The model server as it runs in an image: shared/serving/main.ts bundled into one file, run with
 * `node server.mjs`, configured by the environment. onnxruntime-node stays a package (the image
 * build provides its native binding its own way).
 */
export async function bundleModelServer(): Promise<string> {
  const dir = tempDir('serving-bundle-');
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const bundle = path.join(dir, 'server.mjs');
  await esbuild.build({
    absWorkingDir: REPO_ROOT,
    entryPoints: ['shared/serving/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: bundle,
    external: ['onnxruntime-node'],
    logLevel: 'error',
  });
  return bundle;
}

export interface RunningServer {
  child: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<number | null>;
  startupMs: number;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Start the bundle on a free port of 127.0.0.1 with only PATH and `env`; resolves once ready. */
export async function launchModelServer(bundle: string, env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(NODE24, [bundle], { env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exit;
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
    const ready = await fetch(`${url}/v2/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (performance.now() - t0 > 60_000) {
      await stop();
      throw new Error(`server not ready after 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, url, output: () => out, exit, startupMs: performance.now() - t0, stop };
}

export interface TritonClientReport {
  extensions: string[];
  onnxruntime: string;
  runs: { mode: 'binary' | 'json'; compression: string | null; rows: number; outputs: string[] }[];
}

/**
 * Triton's own client (tritonclient.http, test/harness/python/triton_client.py) against `url`:
 * binary and JSON modes, with and without compression, on the weather data; every output equal
 * bit for bit to Python onnxruntime's on `onnx`. Rejects naming the first difference.
 */
export async function tritonClient(url: string, model: string, onnx: string): Promise<TritonClientReport> {
  const { stdout } = await promisify(execFile)(
    path.join(REPO_ROOT, '.tools/venv/bin/python'),
    [path.join(REPO_ROOT, 'test/harness/python/triton_client.py'), url, model, onnx, path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv')],
    { env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' }, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as TritonClientReport;
}
