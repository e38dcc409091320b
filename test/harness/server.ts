import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';

export interface RunningServer {
  pid: number;
  port: number;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServerSpec {
  command: string;
  /** `{port}` in an argument is replaced by the chosen port. */
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Ready when this path answers HTTP < 500 (default: when the port accepts connections). */
  readyPath?: string;
  timeoutMs?: number;
}

/**
 * Start a real server on 127.0.0.1, wait until it is ready, and give a stop() that ends it by
 * PID (SIGTERM, then SIGKILL). A server that exits or never gets ready fails with its output.
 */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  // freePort's port is free when chosen, not when the server binds it: another test file may take
  // it in between. A server that then fails to bind is started again on another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePort(spec);
    } catch (e) {
      if (!(e instanceof PortTaken) || attempt === 3) throw e;
    }
  }
}

class PortTaken extends Error {}

async function startOnFreePort(spec: ServerSpec): Promise<RunningServer> {
  const port = await freePort();
  const args = spec.args.map((a) => a.replace(/\{port\}/g, String(port)));
  const child: ChildProcess = spawn(spec.command, args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited !== undefined || child.pid === undefined) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => exited === undefined && child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (spec.timeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined) {
      const message = `${spec.command} exited (${exited}) before it was ready:\n${out}`;
      throw /EADDRINUSE|address already in use/i.test(out) ? new PortTaken(message) : new Error(message);
    }
    if (await isReady(port, spec.readyPath)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${spec.command} not ready on ${url} within ${spec.timeoutMs ?? 30_000} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: child.pid!, port, url, output: () => out, stop };
}

async function isReady(port: number, readyPath?: string): Promise<boolean> {
  if (readyPath) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
      await res.arrayBuffer();
      return res.status < 500;
    } catch {
      return false;
    }
  }
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => (sock.destroy(), resolve(true)));
    sock.once('error', () => resolve(false));
  });
}
