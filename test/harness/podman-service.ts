import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { tempDir } from './temp.js';

/**
 * Podman's Docker-compatible API (`podman system service`) on a Unix socket in a temp dir: what
 * the `docker` builder is tested against, as no Docker daemon runs here.
 *
 * As the other podman tests here: rootful, runc (crun does not work in this sandbox) and
 * explicit ulimits (the defaults exceed what the sandbox allows), set through a generated
 * containers.conf (`CONTAINERS_CONF` replaces the system files). The given registries are
 * marked insecure in a generated registries.conf (`CONTAINERS_REGISTRIES_CONF`), so builds
 * pull bases from, and pushes go to, the plain-http test registry.
 *
 * By default the service keeps its images in its own storage (`--root`, `--runroot`,
 * `--tmpdir` under the temp dir), away from the podman storage other tests use, and removed on
 * stop.
 */
export interface PodmanServiceOptions {
  /** `host:port` of registries spoken to over plain http. */
  insecureRegistries?: string[];
  /** Use the machine's podman storage instead of a private one (images outlive the service). */
  sharedStorage?: boolean;
  /** How long to wait for `/_ping` (default 30 s). */
  startTimeoutMs?: number;
}

export interface PodmanService {
  socketPath: string;
  /** `unix://<socketPath>`: a DOCKER_HOST. */
  dockerHost: string;
  pid: number;
  /** The private storage root (undefined with sharedStorage). */
  root: string | undefined;
  /** `podman` arguments that reach the same storage: `podman ...globalArgs images`. */
  globalArgs: string[];
  /** The service's stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** GET `path` on the socket; resolves with the status and body, rejects on connection errors. */
export function socketGet(socketPath: string, urlPath: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: urlPath, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${urlPath}`)));
    req.on('error', reject);
  });
}

function registriesConf(insecure: string[]): string {
  return [
    'unqualified-search-registries = []',
    'short-name-mode = "permissive"',
    ...insecure.flatMap((r) => ['', '[[registry]]', `location = ${JSON.stringify(r)}`, 'insecure = true']),
    '',
  ].join('\n');
}

function containersConf(tmpDir: string | undefined): string {
  return [
    '[containers]',
    'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]',
    'netns = "host"',
    '',
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    ...(tmpDir ? [`tmp_dir = ${JSON.stringify(tmpDir)}`] : []),
    '',
  ].join('\n');
}

/** Unmount whatever is still mounted under `dir` (deepest first), so it can be removed. */
function unmountUnder(dir: string): void {
  const mounts = fs
    .readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startPodmanService(opts: PodmanServiceOptions = {}): Promise<PodmanService> {
  const dir = tempDir('podman-service-');
  const socketPath = path.join(dir, 'podman.sock');
  const registries = path.join(dir, 'registries.conf');
  const conf = path.join(dir, 'containers.conf');
  const root = opts.sharedStorage ? undefined : path.join(dir, 'root');
  const tmp = opts.sharedStorage ? undefined : path.join(dir, 'tmp');
  fs.writeFileSync(registries, registriesConf(opts.insecureRegistries ?? []));
  fs.writeFileSync(conf, containersConf(tmp));
  // Podman refuses a runroot path over 50 characters: a short one in the machine's temp dir.
  const runroot = root ? tempDir('pm-', process.env.MLOPS_TEST_OUTER_TMPDIR) : undefined;
  const globalArgs = root ? ['--root', root, '--runroot', runroot!, '--tmpdir', tmp!, '--storage-driver', 'overlay'] : [];
  // TMPDIR: where image pulls stage blobs (default /var/tmp), kept with the rest.
  const env = { ...process.env, CONTAINERS_REGISTRIES_CONF: registries, CONTAINERS_CONF: conf, ...(root ? { TMPDIR: path.join(dir, 'staging') } : {}) };
  if (root) fs.mkdirSync(path.join(dir, 'staging'));
  const child = spawn('podman', [...globalArgs, 'system', 'service', '--time=0', `unix://${socketPath}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(child.pid, 'SIGTERM');
      const killed = await Promise.race([exited(child).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!killed) {
        process.kill(child.pid, 'SIGKILL');
        await exited(child);
      }
    }
    unmountUnder(dir);
    for (const d of [dir, runroot]) if (d) fs.rmSync(d, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 30_000);
  let failed: Error | undefined;
  void spawnError.then((e) => (failed = e));
  for (;;) {
    if (failed || child.exitCode !== null) {
      await stop();
      throw new Error(`podman system service did not start${failed ? `: ${failed.message}` : ` (exit ${child.exitCode})`}:\n${output}`);
    }
    const ping = await socketGet(socketPath, '/_ping', 1000).catch(() => undefined);
    if (ping?.status === 200) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`podman system service did not answer /_ping on ${socketPath} in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { socketPath, dockerHost: `unix://${socketPath}`, pid: child.pid!, root, globalArgs, output: () => output, stop };
}
