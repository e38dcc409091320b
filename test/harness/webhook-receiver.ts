import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers to the n-th request (from 1) on a path. */
export type Reply = (n: number) => { status: number; body?: string; headers?: Record<string, string> };

export interface WebhookReceiver {
  url: string;
  /** Requests received, in order. */
  received: ReceivedRequest[];
  /** Set the answers of a path (default: 200 `ok`, as Slack's). */
  on(path: string, reply: Reply): void;
  stop(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers per path. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const replies = new Map<string, Reply>();
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const reply: Reply = replies.get(path) ?? (() => ({ status: 200, body: 'ok' }));
      const r = reply(n);
      res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
      res.end(r.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    on: (path, reply) => void replies.set(path, reply),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
