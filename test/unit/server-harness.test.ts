import { describe, expect, it } from 'vitest';
import { startServer } from '../harness/server.js';

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
});
