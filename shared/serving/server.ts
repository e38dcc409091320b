import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseProfile } from '../data/profile-schema.js';
import { featureBins, type FeatureBins } from '../drift/feature-bins.js';
import { Batcher, type Tensors } from './batcher.js';
import { type ServerConfig, type ServerOptions, resolveConfig } from './config.js';
import { CONTENT_TYPE, type FeatureValue, ServingMetrics } from './metrics.js';
import { type Prediction, type ServedModel, DEFAULT_VALUE_BUCKETS, defaultModelName, loadServedModel, readManifest } from './model.js';
import { PredictionLog, type PredictionRecord } from './prediction-log.js';
import { INFERENCE_HEADER_LENGTH, encodeInferReply, parseJson, splitBody } from './binary.js';
import { MIN_COMPRESSED_BYTES, compress, readBody, replyCoding, tooLarge } from './body.js';
import { HttpError, batchRows, decodeInputs, parseBody, parseInferRequest, predictRequestSchema, requestedOutputs } from './protocol.js';

export const SERVER_NAME = 'mlops-model-server';
export const SERVER_VERSION = '0.1.0';
/** Open Inference Protocol extensions this server implements, as Triton names them in its metadata. */
export const EXTENSIONS = ['binary_tensor_data'];
/** Feature summaries for at most this many columns: a wide input (pixels) must not flood Prometheus. */
export const MAX_FEATURE_METRICS = 256;

export interface ModelServer {
  url: string;
  port: number;
  /** Graceful stop: not ready, no new connections, in-flight requests finish (within the deadline). */
  close(): Promise<void>;
  /** As close(), telling whether the deadline cut requests off. */
  shutdown(): Promise<{ forced: boolean }>;
}

interface Reply {
  status: number;
  /** Sent as JSON, unless `raw` is given. */
  body?: unknown;
  /** Another content type (the metrics exposition, binary tensor data). */
  raw?: { contentType: string; content: Buffer | string };
  headers?: http.OutgoingHttpHeaders;
}

type Handler = (req: http.IncomingMessage, match: RegExpMatchArray) => Promise<Reply>;

interface Route {
  /** GET routes answer HEAD too. */
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** The `endpoint` label: the route's template, never the raw path (bounded cardinality). */
  endpoint: string;
  handler: Handler;
}

/**
 * Start the model server: listen first (live at once), load the model, then ready. Resolves when
 * ready; a model that does not load rejects and leaves nothing listening.
 */
export async function startModelServer(options: ServerOptions): Promise<ModelServer> {
  const startedAt = performance.now();
  const config: ServerConfig = resolveConfig(options);
  const log = config.log;
  const manifest = readManifest(config.manifestPath);
  const profileBins = readProfileBins(config.profilePath);
  const name = config.modelName ?? manifest?.name ?? defaultModelName(config.modelPath);
  const version = config.modelVersion ?? manifest?.version ?? '1';
  const metrics = new ServingMetrics({ name, version });
  const predictionLog = config.predictionLog ? new PredictionLog({ target: config.predictionLog, sample: config.predictionLogSample, log }) : null;

  let model: ServedModel | null = null;
  let batcher: Batcher | null = null;
  let ready = false;
  let draining = false;

  /** The model a path names (`/predict` names none: the one served); 404 for another, 503 until ready. */
  const needModel = (match: RegExpMatchArray): ServedModel => {
    const reqName = match[1] === undefined ? name : decodePathSegment(match[1]);
    const reqVersion = match[2] === undefined ? undefined : decodePathSegment(match[2]);
    if (reqName !== name) throw new HttpError(404, `model "${reqName}" not found; this server serves "${name}"`);
    if (reqVersion !== undefined && reqVersion !== version) throw new HttpError(404, `model "${name}" has no version "${reqVersion}"; it serves version "${version}"`);
    if (!model || !ready) throw new HttpError(503, `model "${name}" is not ready`);
    return model;
  };

  const runModel = async (m: ServedModel, inputs: Tensors, rows: number): Promise<Tensors> => {
    const t0 = performance.now();
    const out = await m.infer(inputs);
    metrics.modelRun(rows, (performance.now() - t0) / 1000);
    return out;
  };

  /**
   * Run (batched when on), then record metrics and the prediction log for every row. `rowsReply`:
   * the caller answers with the per-row predictions (else they feed metrics and the log only).
   */
  const predict = async (m: ServedModel, inputs: Tensors, id: string, rowsReply: boolean): Promise<{ outputs: Tensors; predictions: Prediction[] }> => {
    const batchable = batchRows(inputs);
    const rows = batchable ?? 1;
    const outputs = batcher && batchable !== null ? await batcher.submit(inputs, batchable) : await runModel(m, inputs, rows);
    // Per-row probability maps cost more than the model run on big batches: only when someone reads them.
    const predictions = m.interpret(outputs, rows, rowsReply || predictionLog !== null);
    record(m, inputs, predictions, rows, id);
    return { outputs, predictions };
  };

  const record = (m: ServedModel, inputs: Tensors, predictions: Prediction[], rows: number, id: string): void => {
    for (const p of predictions) {
      if ('label' in p) metrics.predictedLabel(p.label);
      else if ('value' in p) metrics.predictedNumber(p.value);
    }
    const columns = featureColumns(m, inputs, rows);
    for (let i = 0; i < columns.length && i < MAX_FEATURE_METRICS; i++) metrics.featureValues(columns[i]![0], columns[i]![1]);
    if (!predictionLog) return;
    const keep = predictionLog.sampleRows(rows);
    if (keep.length === 0) return;
    const time = new Date().toISOString();
    const records: PredictionRecord[] = keep.map((r) => ({
      time,
      model: name,
      version,
      id,
      row: r,
      inputs: Object.fromEntries(columns.map(([feature, values]) => [feature, jsonValue(values[r])])),
      outputs: predictions[r]!,
    }));
    predictionLog.write(records);
  };

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/v2\/health\/live$/, endpoint: '/v2/health/live', handler: async () => ({ status: 200, body: { live: true } }) },
    { method: 'GET', pattern: /^\/v2\/health\/ready$/, endpoint: '/v2/health/ready', handler: async () => ({ status: ready ? 200 : 503, body: { ready } }) },
    { method: 'GET', pattern: /^\/v2\/?$/, endpoint: '/v2', handler: async () => ({ status: 200, body: { name: SERVER_NAME, version: SERVER_VERSION, extensions: EXTENSIONS } }) },
    {
      method: 'GET',
      pattern: /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?$/,
      endpoint: '/v2/models/{model}',
      handler: async (_req, match) => {
        const m = needModel(match);
        return { status: 200, body: { name: m.name, versions: [m.version], platform: 'onnx_onnxv1', inputs: m.inputs, outputs: m.outputs } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/ready$/,
      endpoint: '/v2/models/{model}/ready',
      handler: async (_req, match) => {
        try {
          needModel(match);
        } catch (e) {
          if (e instanceof HttpError && e.status === 503) return { status: 503, body: { name, ready: false } };
          throw e;
        }
        return { status: 200, body: { name, ready: true } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?\/infer$/,
      endpoint: '/v2/models/{model}/infer',
      handler: async (req, match) => {
        const m = needModel(match);
        const { json, binary } = splitBody(await readBody(req, config.maxBodyBytes), req.headers[INFERENCE_HEADER_LENGTH]);
        const request = parseInferRequest(json);
        const wanted = requestedOutputs(request, m.outputs);
        const inputs = decodeInputs(request, m.inputs, binary);
        const id = request.id ?? requestId(req);
        const { outputs } = await predict(m, inputs, id, false);
        const reply = encodeInferReply(
          { model_name: m.name, model_version: m.version, id },
          wanted.map((w) => ({ ...w, tensor: outputs[w.name]! })),
        );
        if (reply.headerLength === null) return { status: 200, raw: { contentType: 'application/json', content: reply.body } };
        return { status: 200, raw: { contentType: 'application/octet-stream', content: reply.body }, headers: { [INFERENCE_HEADER_LENGTH]: reply.headerLength } };
      },
    },
    ...[/^\/v1\/models\/([^/:]+)(?:\/predict|:predict)$/, /^\/predict$/].map(
      (pattern): Route => ({
        method: 'POST',
        pattern,
        endpoint: pattern.source.startsWith('^\\/v1') ? '/v1/models/{model}/predict' : '/predict',
        handler: async (req, match) => {
          const m = needModel(match);
          const body = parseBody(predictRequestSchema, parseJson(await readBody(req, config.maxBodyBytes)), 'predict request');
          const rows = 'rows' in body ? body.rows : body.instances;
          const { predictions } = await predict(m, m.tensorsFromRows(rows), requestId(req), true);
          return { status: 200, body: { model_name: m.name, model_version: m.version, predictions } };
        },
      }),
    ),
    {
      method: 'GET',
      pattern: /^\/metrics$/,
      endpoint: '/metrics',
      handler: async () => ({ status: 200, raw: { contentType: CONTENT_TYPE, content: metrics.expose() } }),
    },
  ];

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const t0 = performance.now();
    metrics.requestStarted();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query < 0 ? url : url.slice(0, query);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of routes) {
      if (r.method !== method) continue;
      match = r.pattern.exec(pathname);
      if (match) {
        route = r;
        break;
      }
    }
    let reply: Reply;
    try {
      if (!route) {
        const matching = routes.filter((r) => r.pattern.test(pathname));
        if (matching.length) {
          const allowed = [...new Set(matching.flatMap((r) => (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method])))];
          throw new HttpError(405, `${req.method} is not allowed on ${pathname}; use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
        }
        throw new HttpError(404, `no endpoint ${pathname}`);
      }
      reply = await route.handler(req, match!);
    } catch (e) {
      if (e instanceof HttpError) reply = { status: e.status, body: { error: e.message }, headers: e.headers };
      else {
        log.warn(`${req.method} ${pathname} failed: ${(e as Error).stack ?? String(e)}`);
        reply = { status: 500, body: { error: `internal error: ${(e as Error).message}` } };
      }
    }
    const sending = send(req, res, reply, draining);
    if (sending) await sending;
    metrics.requestFinished(route?.endpoint ?? 'other', reply.status, (performance.now() - t0) / 1000);
  };

  const server = http.createServer((req, res) => void handle(req, res));
  // Refuse an oversized body before the client sends it, when it asks first.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (Number(req.headers['content-length']) > config.maxBodyBytes) {
      void send(req, res, { status: 413, body: { error: tooLarge(config.maxBodyBytes) } }, true);
      return;
    }
    res.writeContinue();
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`;

  try {
    model = await loadServedModel({ modelPath: config.modelPath, name, version, intraOpThreads: config.intraOpThreads, log });
  } catch (e) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await predictionLog?.close();
    throw e;
  }
  if (manifest?.signature) {
    const declared = manifest.signature.inputs.map((i) => i.name).sort().join(', ');
    const actual = model.inputs.map((i) => i.name).sort().join(', ');
    if (declared !== actual) log.warn(`the manifest's inputs (${declared}) differ from the model's (${actual}); serving the model's`);
  }
  metrics.modelLoaded(model.loadSeconds, { task: model.task, valueBuckets: model.valueBuckets ?? DEFAULT_VALUE_BUCKETS });
  const binned = modelFeatureBins(profileBins, model);
  metrics.referenceBins(binned);
  const loaded = model;
  if (config.maxBatchSize > 0 && config.batchTimeoutMs > 0) {
    if (loaded.batchable) batcher = new Batcher((inputs, rows) => runModel(loaded, inputs, rows), { maxBatchSize: config.maxBatchSize, timeoutMs: config.batchTimeoutMs });
    else log.warn('dynamic batching is off: the model has an input or output without a dynamic first dimension');
  }
  ready = true;
  metrics.setReady(true);
  log.info(
    `serving ${name} version ${version} (${loaded.task}) on ${url}: model loaded in ${(loaded.loadSeconds * 1000).toFixed(1)} ms, ready in ${(performance.now() - startedAt).toFixed(1)} ms; ` +
      `inputs ${loaded.inputs.map((i) => `${i.name} ${i.datatype} [${i.shape.join(', ')}]`).join(', ')}; ` +
      `outputs ${loaded.outputs.map((o) => `${o.name} ${o.datatype} [${o.shape.join(', ')}]`).join(', ')}` +
      (batcher ? `; dynamic batching up to ${config.maxBatchSize} rows within ${config.batchTimeoutMs} ms` : '') +
      (binned.size ? `; reference profile ${config.profilePath}: bin counters for ${[...binned.keys()].join(', ')}` : '') +
      (predictionLog ? `; prediction log ${config.predictionLog} (sample ${config.predictionLogSample})` : ''),
  );

  let stopping: Promise<{ forced: boolean }> | null = null;
  const shutdown = (): Promise<{ forced: boolean }> =>
    (stopping ??= (async () => {
      ready = false;
      metrics.setReady(false);
      if (config.shutdownDelayMs > 0) {
        log.info(`not ready; still serving for ${config.shutdownDelayMs} ms before draining`);
        await sleep(config.shutdownDelayMs);
      }
      draining = true;
      log.info('draining: no new connections, waiting for requests in flight');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      batcher?.flush();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), config.shutdownTimeoutMs)));
      const forced = await Promise.race([closed.then(() => false), deadline]);
      clearTimeout(timer);
      if (forced) {
        log.warn(`requests still running after ${config.shutdownTimeoutMs} ms: closing their connections`);
        server.closeAllConnections();
      }
      await predictionLog?.close();
      await loaded.close();
      log.info('stopped');
      return { forced };
    })());

  return { url, port, shutdown, close: async () => void (await shutdown()) };
}

/** The bins of every column of the reference profile (none without a profile file). */
function readProfileBins(file: string | null): Map<string, FeatureBins> {
  if (!file || !fs.existsSync(file)) return new Map();
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return featureBins(parseProfile(json, file));
  } catch (e) {
    throw new Error(`${file} (MODEL_PROFILE): ${(e as Error).message}`);
  }
}

/** Those of the model's features (the profile also holds the target and other columns). */
function modelFeatureBins(all: Map<string, FeatureBins>, m: ServedModel): Map<string, FeatureBins> {
  const features = m.bindings.flatMap((b) => b.columns).slice(0, MAX_FEATURE_METRICS);
  return new Map(features.flatMap((f) => (all.has(f) ? [[f, all.get(f)!] as const] : [])));
}

/** Each input's feature columns (see InputBinding), one value per row; inputs above rank 2 are left out. */
function featureColumns(m: ServedModel, inputs: Tensors, rows: number): [string, ArrayLike<FeatureValue>][] {
  const out: [string, ArrayLike<FeatureValue>][] = [];
  if (rows === 0) return out;
  for (const b of m.bindings) {
    const t = inputs[b.input.name];
    if (!t || b.columns.length === 0) continue;
    const data = t.data as ArrayLike<FeatureValue>;
    const width = t.data.length / rows;
    if (b.columns.length === 1 && width === 1) {
      out.push([b.columns[0]!, data]);
      continue;
    }
    if (width !== b.columns.length) continue;
    b.columns.forEach((c, j) => out.push([c, Array.from({ length: rows }, (_, r) => data[r * width + j]!)]));
  }
  return out;
}

function jsonValue(v: FeatureValue | undefined): number | string | boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

function decodePathSegment(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `bad percent-encoding in path segment "${s}"`);
  }
}

function requestId(req: http.IncomingMessage): string {
  const h = req.headers['x-request-id'];
  return typeof h === 'string' && h.length > 0 && h.length <= 200 ? h : randomUUID();
}

/**
 * The reply, compressed when the client accepts it and it is worth it; HEAD gets the headers only.
 * Synchronous unless it compresses (a promise per request is measurable at 10k requests/s).
 */
function send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, closeConnection: boolean): Promise<void> | void {
  if (res.headersSent) return;
  const content: Buffer | string = reply.raw ? reply.raw.content : JSON.stringify(reply.body);
  const headers: http.OutgoingHttpHeaders = reply.headers ? { ...reply.headers } : {};
  headers['content-type'] = reply.raw ? reply.raw.contentType : 'application/json';
  const length = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  if (length >= MIN_COMPRESSED_BYTES) {
    headers.vary = 'Accept-Encoding';
    const coding = replyCoding(req.headers['accept-encoding']);
    if (coding) {
      return compress(Buffer.from(content), coding).then((compressed) => {
        headers['content-encoding'] = coding;
        write(res, reply.status, headers, compressed, closeConnection);
      });
    }
  }
  write(res, reply.status, headers, content, closeConnection);
}

function write(res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, content: Buffer | string, closeConnection: boolean): void {
  headers['content-length'] = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
  // Draining, or a body left unread (413): this connection takes no further requests.
  if (closeConnection || status === 413) headers.connection = 'close';
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, headers);
  res.end(content);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
