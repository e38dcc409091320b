import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../shared/runtime/context.js';
import { type ModelServer, startModelServer } from '../../shared/serving/server.js';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

/** The wire formats beyond plain JSON: binary tensor data, compressed bodies, HEAD. */
const FEATURES = ['precipitation', 'temp_max', 'temp_min', 'wind'];
const quiet: Logger = { info: () => {}, warn: () => {}, debug: () => {}, group: (_n, fn) => fn() };
let dir: string;
let server: ModelServer;
let infer: string;

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with exactly these headers (no client-side compression or decoding). */
function request(url: string, method: string, headers: Record<string, string | number> = {}, body?: Buffer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'content-length': body.length, ...headers } : headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `rows` rows of the four features as [rows, 1] FP32 columns. */
function columns(rows: number): Float32Array[] {
  return FEATURES.map((_, j) => Float32Array.from({ length: rows }, (_, i) => ((i * 7 + j * 3) % 25) / 3));
}

/** A request in the binary tensor data extension: JSON header, then each input's bytes. */
function binaryRequest(cols: Float32Array[], outputs: unknown, extra: Buffer = Buffer.alloc(0)): { body: Buffer; headerLength: number } {
  const rows = cols[0]!.length;
  const header = Buffer.from(
    JSON.stringify({
      inputs: FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [rows, 1], parameters: { binary_data_size: rows * 4 } })),
      ...(outputs ? { outputs } : {}),
    }),
  );
  return { body: Buffer.concat([header, ...cols.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)), extra]), headerLength: header.length };
}

function jsonRequest(cols: Float32Array[]): Buffer {
  const rows = cols[0]!.length;
  return Buffer.from(JSON.stringify({ inputs: FEATURES.map((name, j) => ({ name, datatype: 'FP32', shape: [rows, 1], data: Array.from(cols[j]!) })) }));
}

beforeAll(async () => {
  dir = tempDir('serving-encodings-');
  execFileSync(process.execPath, ['train.mjs'], { cwd: path.join(REPO_ROOT, 'examples/weather'), env: { ...process.env, MLOPS_PARAMS: 'params.json', MLOPS_SEED: '1', MLOPS_OUTPUT_DIR: dir }, stdio: 'pipe' });
  server = await startModelServer({ modelPath: path.join(dir, 'model.onnx'), modelName: 'weather', port: 0, host: '127.0.0.1', log: quiet });
  infer = `${server.url}/v2/models/weather/infer`;
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('binary tensor data extension', () => {
  it('reads binary inputs and answers binary outputs after the JSON header, equal to the JSON reply', async () => {
    const cols = columns(300);
    const json = JSON.parse((await request(infer, 'POST', { 'content-type': 'application/json' }, jsonRequest(cols))).body.toString()) as {
      outputs: { name: string; data: unknown[] }[];
    };
    const { body, headerLength } = binaryRequest(cols, [{ name: 'probabilities', parameters: { binary_data: true } }, { name: 'label' }]);
    const r = await request(infer, 'POST', { 'inference-header-content-length': headerLength }, body);
    expect(r.status, r.body.toString()).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    const n = Number(r.headers['inference-header-content-length']);
    const head = JSON.parse(r.body.subarray(0, n).toString()) as { outputs: { name: string; datatype: string; shape: number[]; parameters?: { binary_data_size: number }; data?: unknown[] }[] };
    const [proba, label] = head.outputs;
    expect(proba).toEqual({ name: 'probabilities', datatype: 'FP32', shape: [300, 5], parameters: { binary_data_size: 300 * 5 * 4 } });
    expect(r.body.length).toBe(n + 300 * 5 * 4);
    const floats = new Float32Array(new Uint8Array(r.body.subarray(n)).buffer);
    const fromJson = json.outputs.find((o) => o.name === 'probabilities')!.data as number[];
    expect(Buffer.from(floats.buffer).equals(Buffer.from(Float32Array.from(fromJson).buffer))).toBe(true);
    expect(label!.data).toEqual(json.outputs.find((o) => o.name === 'label')!.data);

    // binary_data_output: every output binary; BYTES as 4-byte length + UTF-8 each.
    const all = binaryRequest(cols.map((c) => c.subarray(0, 2)), null);
    const header = JSON.parse(all.body.subarray(0, all.headerLength).toString());
    const asked = Buffer.concat([Buffer.from(JSON.stringify({ ...header, parameters: { binary_data_output: true } })), all.body.subarray(all.headerLength)]);
    const both = await request(infer, 'POST', { 'inference-header-content-length': asked.length - 2 * 4 * 4 }, asked);
    expect(both.status, both.body.toString()).toBe(200);
    const m = Number(both.headers['inference-header-content-length']);
    const outs = (JSON.parse(both.body.subarray(0, m).toString()) as { outputs: { name: string; parameters: { binary_data_size: number } }[] }).outputs;
    const before = outs.slice(0, outs.findIndex((o) => o.name === 'label'));
    const labelAt = m + before.reduce((n, o) => n + o.parameters.binary_data_size, 0);
    const len = both.body.readUInt32LE(labelAt);
    expect(both.body.subarray(labelAt + 4, labelAt + 4 + len).toString()).toBe(String((json.outputs.find((o) => o.name === 'label')!.data as string[])[0]));
  });

  it.each([
    ['binary data but no header', (b: Buffer, _n: number) => [b, {}], /not valid JSON: .*; binary tensor data after the JSON needs the Inference-Header-Content-Length header/],
    ['binary_data_size but no header', (b: Buffer, n: number) => [b.subarray(0, n), {}], /input "precipitation" has parameters\.binary_data_size, but the request has no Inference-Header-Content-Length header/],
    ['a header past the body', (b: Buffer) => [b, { 'inference-header-content-length': b.length + 1 }], /Inference-Header-Content-Length must be the byte length of the JSON header/],
    ['a header that is not a number', (b: Buffer) => [b, { 'inference-header-content-length': 'ten' }], /got "ten"/],
    ['bytes no input claims', (b: Buffer, n: number) => [Buffer.concat([b, Buffer.alloc(3)]), { 'inference-header-content-length': n }], /3 bytes of binary data after the JSON that no input's binary_data_size claims/],
    ['too few bytes', (b: Buffer, n: number) => [b.subarray(0, b.length - 4), { 'inference-header-content-length': n }], /input "wind": its binary data \(bytes 24\.\.32 after the JSON\) runs past the body's 28 bytes/],
  ] as const)('answers 400 for %s', async (_name, make, message) => {
    const { body, headerLength } = binaryRequest(columns(2), null);
    const [b, headers] = make(body, headerLength) as [Buffer, Record<string, string | number>];
    const r = await request(infer, 'POST', headers, b);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString()).error).toMatch(message);
  });

  it('answers 400 for a size that does not match the shape, and for the classification extension', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [2, 1], parameters: { binary_data_size: name === 'wind' ? 4 : 8 } })) }));
    const r = await request(infer, 'POST', { 'inference-header-content-length': header.length }, Buffer.concat([header, Buffer.alloc(28)]));
    expect(JSON.parse(r.body.toString()).error).toMatch(/input "wind": binary_data_size is 4 bytes, but 2 FP32 elements take 8/);
    const cls = JSON.parse(jsonRequest(columns(1)).toString());
    const c = await request(infer, 'POST', {}, Buffer.from(JSON.stringify({ ...cls, outputs: [{ name: 'probabilities', parameters: { classification: 2 } }] })));
    expect(c.status).toBe(400);
    expect(JSON.parse(c.body.toString()).error).toMatch(/classification extension is not supported/);
  });
});

describe('compressed bodies', () => {
  it('reads gzip and deflate (zlib) request bodies, binary or JSON, and refuses others with 415 and corrupt ones with 400', async () => {
    const plain = await request(infer, 'POST', {}, jsonRequest(columns(5)));
    for (const [coding, fn] of [
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
    ] as const) {
      const r = await request(infer, 'POST', { 'content-encoding': coding }, fn(jsonRequest(columns(5))));
      expect(r.status, r.body.toString()).toBe(200);
      expect(r.body.toString()).toBe(plain.body.toString().replace(/"id":"[^"]+"/, r.body.toString().match(/"id":"[^"]+"/)![0]));
      const { body, headerLength } = binaryRequest(columns(5), null);
      const b = await request(infer, 'POST', { 'content-encoding': coding, 'inference-header-content-length': headerLength }, fn(body));
      expect(b.status, b.body.toString()).toBe(200);
    }
    const br = await request(infer, 'POST', { 'content-encoding': 'br' }, zlib.brotliCompressSync(jsonRequest(columns(1))));
    expect(br.status).toBe(415);
    expect(JSON.parse(br.body.toString()).error).toMatch(/Content-Encoding "br" is not supported; send gzip, deflate or an uncompressed body/);
    const corrupt = await request(infer, 'POST', { 'content-encoding': 'gzip' }, Buffer.from('not gzip at all'));
    expect(corrupt.status).toBe(400);
    expect(JSON.parse(corrupt.body.toString()).error).toMatch(/the body is not valid gzip data/);
  });

  it('stops a small body that inflates past MAX_BODY_BYTES (a zip bomb) at the limit with 413', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(256 * 1024 * 1024), { level: 9 });
    const r = await request(infer, 'POST', { 'content-encoding': 'gzip' }, bomb);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body.toString()).error).toMatch(/request body larger than 10485760 bytes once decompressed/);
    expect((await request(`${server.url}/v2/health/ready`, 'GET')).status).toBe(200);
  });

  it('compresses replies of 1 KiB or more as Accept-Encoding asks (q-values honoured), and leaves small ones alone', async () => {
    const body = jsonRequest(columns(200));
    const plain = await request(infer, 'POST', {}, body);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    const strip = (s: string) => s.replace(/"id":"[^"]+"/, '');
    for (const [accept, coding, unzip] of [
      ['gzip', 'gzip', zlib.gunzipSync],
      ['deflate', 'deflate', zlib.inflateSync],
      ['gzip;q=0, deflate', 'deflate', zlib.inflateSync],
      ['br;q=1.0, gzip;q=0.5, *;q=0.1', 'gzip', zlib.gunzipSync],
    ] as const) {
      const r = await request(infer, 'POST', { 'accept-encoding': accept }, body);
      expect(r.headers['content-encoding'], accept).toBe(coding);
      expect(Number(r.headers['content-length'])).toBe(r.body.length);
      expect(r.body.length).toBeLessThan(plain.body.length);
      expect(strip(unzip(r.body).toString())).toBe(strip(plain.body.toString()));
    }
    expect((await request(infer, 'POST', { 'accept-encoding': 'identity' }, body)).headers['content-encoding']).toBeUndefined();
    const small = await request(`${server.url}/v2/health/live`, 'GET', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(small.body.toString()).toBe('{"live":true}');
  });
});

describe('HEAD', () => {
  it('answers HEAD wherever GET is answered, with the headers and no body; 405 names the methods a path allows', async () => {
    for (const p of ['/v2/health/live', '/v2/health/ready', '/v2/models/weather/ready', '/v2', '/metrics']) {
      const get = await request(`${server.url}${p}`, 'GET');
      const head = await request(`${server.url}${p}`, 'HEAD');
      expect(head.status, p).toBe(200);
      expect(head.body.length).toBe(0);
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      if (p !== '/metrics') expect(head.headers['content-length']).toBe(get.headers['content-length']);
    }
    const post = await request(infer, 'HEAD');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('POST');
    const get = await request(`${server.url}/v2/health/live`, 'POST', {}, Buffer.from('{}'));
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('GET, HEAD');
  });
});
