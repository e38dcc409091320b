import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../temp.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCRIPTS = path.join(ROOT, 'scripts/k8s');

export interface RunningCluster {
  /** Admin kubeconfig (client certificate). */
  kubeconfig: string;
  /** The same cluster with a bearer token instead of a client certificate. */
  tokenKubeconfig: string;
  /** Directory of the built binaries (kubectl, kwok...). */
  bin: string;
  stateDir: string;
  /** kubectl against this cluster; throws with kubectl's stderr on failure. */
  kubectl(args: string[], input?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Where scripts/k8s/install.sh keeps the binaries (building them once if needed). */
export function clusterBinaries(): string {
  return execFileSync(path.join(SCRIPTS, 'install.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/**
 * A fresh control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok) on
 * 127.0.0.1, started by the project's own script in a temp state dir and stopped by PID.
 */
export async function startCluster(): Promise<RunningCluster> {
  const bin = clusterBinaries();
  const stateDir = tempDir('mlops-cluster-');
  const stop = async () => {
    await run(path.join(SCRIPTS, 'stop.sh'), [stateDir]).catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const { stdout } = await run(path.join(SCRIPTS, 'start.sh'), [stateDir], { maxBuffer: 1 << 24 });
    const kubeconfig = stdout.trim().split('\n').pop() ?? '';
    const kubectl = async (args: string[], input?: string) => {
      const child = spawn(path.join(bin, 'kubectl'), ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.stdin.end(input);
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${code}: ${Buffer.concat(err).toString()}`);
      return Buffer.concat(out).toString();
    };
    return { kubeconfig, tokenKubeconfig: path.join(stateDir, 'token.kubeconfig'), bin, stateDir, kubectl, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
