import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../harness/server.js';
import { tempDir } from '../harness/temp.js';

describe('startServer', () => {
  it('starts a real server on 127.0.0.1, waits for readiness and stops it by PID', async () => {
    const server = await startServer({ command: 'python3', args: ['-m', 'http.server', '{port}', '--bind', '127.0.0.1'], readyPath: '/' });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(server.url)).status).toBe(200);
    await server.stop();
    expect(() => process.kill(server.pid, 0)).toThrow();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('fails with the output of a server that exits before it is ready', async () => {
    await expect(startServer({ command: 'python3', args: ['-c', 'import sys; print("boom"); sys.exit(3)'], timeoutMs: 5000 })).rejects.toThrow(/exited \(3\) before it was ready:\nboom/);
  });

  it('starts again on another port when its port was taken before it could bind', async () => {
    // The first start finds its port taken (as when another test file grabs it first), the second binds.
    const tries = path.join(tempDir('mlops-server-harness-'), 'tries');
    const script = [
      'import os, sys, http.server',
      `f = ${JSON.stringify(tries)}`,
      'n = (int(open(f).read()) if os.path.exists(f) else 0) + 1',
      'open(f, "w").write(str(n))',
      'if n == 1: print("OSError: [Errno 98] Address already in use"); sys.exit(1)',
      'http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler, port=int(sys.argv[1]), bind="127.0.0.1")',
    ].join('\n');
    const server = await startServer({ command: 'python3', args: ['-c', script, '{port}'], readyPath: '/', timeoutMs: 10_000 });
    try {
      expect((await fetch(server.url)).status).toBe(200);
      expect(fs.readFileSync(tries, 'utf8')).toBe('2');
    } finally {
      await server.stop();
    }
  });
});
