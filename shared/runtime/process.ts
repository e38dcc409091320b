import { spawn } from 'node:child_process';
import type { Logger } from './context.js';

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of output, for a failure report. */
  tail: string[];
}

export interface CommandOptions {
  /** A command the workflow author wrote on purpose; it runs as written, in bash. */
  command: string;
  cwd: string;
  /** Data reaches the command only through these variables, never through the command string; undefined unsets one. */
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  log: Logger;
  tailLines?: number;
}

/**
 * The one way to run a user's command: `bash -eo pipefail -c <command>` (what a workflow's
 * `run:` does), in its own process group so a timeout stops everything it started, output
 * streamed to the log line by line and the last lines kept.
 */
export async function runCommand(opts: CommandOptions): Promise<CommandResult> {
  const started = Date.now();
  const keep = opts.tailLines ?? 50;
  const tail: string[] = [];
  const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', opts.command], {
    cwd: opts.cwd,
    env: Object.fromEntries(Object.entries({ ...process.env, ...opts.env }).filter(([, v]) => v !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const onData = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) {
        opts.log.info(line);
        tail.push(line);
        if (tail.length > keep) tail.shift();
      }
    });
    stream.on('end', () => {
      if (partial) {
        opts.log.info(partial);
        tail.push(partial);
        if (tail.length > keep) tail.shift();
      }
    });
  };
  onData(child.stdout!);
  onData(child.stderr!);
  let timedOut = false;
  const timer = opts.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-child.pid!, 'SIGTERM');
          setTimeout(() => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              /* already gone */
            }
          }, 5000).unref();
        } catch {
          /* already gone */
        }
      }, opts.timeoutMs)
    : undefined;
  const [exitCode, signal] = await new Promise<[number | null, string | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  if (timer) clearTimeout(timer);
  return { exitCode, signal, timedOut, durationMs: Date.now() - started, tail };
}
