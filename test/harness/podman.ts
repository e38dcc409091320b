import { execFileSync, spawnSync } from 'node:child_process';

/**
 * Podman as the tests use it here: rootful, runc (crun does not work in this sandbox), host
 * network, and explicit ulimits (the defaults exceed what the sandbox allows).
 */
export const PODMAN_RUN = ['--runtime', 'runc', 'run', '--network', 'host', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

export function podman(...args: string[]): string {
  return execFileSync('podman', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

/** Start a container in the background; returns its id. Stop it with stopContainer. */
export function runContainer(image: string, env: Record<string, string>, extra: string[] = []): string {
  const e = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return podman(...PODMAN_RUN, '-d', ...e, ...extra, image);
}

export function stopContainer(id: string): { exitCode: number; logs: string } {
  spawnSync('podman', ['stop', '-t', '10', id]);
  const logs = spawnSync('podman', ['logs', id]).stderr?.toString() ?? '';
  const code = Number(spawnSync('podman', ['inspect', '-f', '{{.State.ExitCode}}', id]).stdout.toString().trim());
  spawnSync('podman', ['rm', '-f', id]);
  return { exitCode: code, logs };
}
