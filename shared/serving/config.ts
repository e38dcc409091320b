import { z } from 'zod';
import type { Logger } from '../runtime/context.js';

/** Everything the model server needs; `startModelServer` fills what is left out with these defaults. */
export interface ServerConfig {
  modelPath: string;
  /** `mlops-model.json` beside the image's model; a missing file is fine. null: do not look. */
  manifestPath: string | null;
  /** The reference profile (`mlops-profile.json` beside the image's model): per-feature bin counters for drift-check. A missing file is fine. null: none. */
  profilePath: string | null;
  /** Overrides of the manifest's name and version. */
  modelName: string | null;
  modelVersion: string | null;
  port: number;
  host: string;
  maxBodyBytes: number;
  /** Dynamic batching: merge requests arriving within batchTimeoutMs, up to maxBatchSize rows; 0 = off. */
  maxBatchSize: number;
  batchTimeoutMs: number;
  /** `stdout`, a file path (appended), or null (off). */
  predictionLog: string | null;
  /** Fraction of prediction rows written to the log, 0..1. */
  predictionLogSample: number;
  /** After SIGTERM: keep serving (not ready) this long so load balancers notice, then drain. */
  shutdownDelayMs: number;
  /** Hard deadline for in-flight requests to finish once draining starts. */
  shutdownTimeoutMs: number;
  /** ONNX Runtime threads per inference; requests run concurrently on top of that. */
  intraOpThreads: number;
  log: Logger;
}

export type ServerOptions = Partial<ServerConfig> & { modelPath: string };

export const DEFAULTS = {
  modelPath: '/models/model.onnx',
  manifestPath: '/models/mlops-model.json',
  profilePath: '/models/mlops-profile.json',
  port: 8080,
  host: '0.0.0.0',
  maxBodyBytes: 10 * 1024 * 1024,
  shutdownTimeoutMs: 25_000,
} as const;

const int = (name: string, min: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= min, `${name} must be at least ${min}`);
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional());

const envSchema = z.object({
  MODEL_PATH: opt(z.string()),
  MODEL_MANIFEST: opt(z.string()),
  MODEL_PROFILE: opt(z.string()),
  MODEL_NAME: opt(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'MODEL_NAME may hold letters, digits, ".", "_" and "-"')),
  MODEL_VERSION: opt(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/, 'MODEL_VERSION may hold letters, digits, ".", "_", "+" and "-"')),
  PORT: opt(int('PORT', 0).refine((n) => n <= 65535, 'PORT must be at most 65535')),
  HOST: opt(z.string()),
  MAX_BODY_BYTES: opt(int('MAX_BODY_BYTES', 1)),
  MAX_BATCH_SIZE: opt(int('MAX_BATCH_SIZE', 0)),
  BATCH_TIMEOUT_MS: opt(int('BATCH_TIMEOUT_MS', 0)),
  PREDICTION_LOG: opt(z.string()),
  PREDICTION_LOG_SAMPLE: opt(
    z
      .string()
      .transform(Number)
      .refine((n) => Number.isFinite(n) && n >= 0 && n <= 1, 'PREDICTION_LOG_SAMPLE must be a number from 0 to 1'),
  ),
  SHUTDOWN_DELAY_MS: opt(int('SHUTDOWN_DELAY_MS', 0)),
  SHUTDOWN_TIMEOUT_MS: opt(int('SHUTDOWN_TIMEOUT_MS', 1)),
  INTRA_OP_THREADS: opt(int('INTRA_OP_THREADS', 1)),
});

/** The server's configuration from the container's environment; a bad value names the variable. */
export function configFromEnv(env: Readonly<Record<string, string | undefined>>, log: Logger): ServerConfig {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`bad configuration: ${issue.path.join('.')}: ${issue.message}`);
  }
  const e = r.data;
  // Unset variables stay undefined: resolveConfig holds the defaults. Only the model and its
  // manifest default differently in an image than for a test's options.
  return resolveConfig({
    modelPath: e.MODEL_PATH ?? DEFAULTS.modelPath,
    manifestPath: e.MODEL_MANIFEST ?? DEFAULTS.manifestPath,
    profilePath: e.MODEL_PROFILE ?? DEFAULTS.profilePath,
    modelName: e.MODEL_NAME,
    modelVersion: e.MODEL_VERSION,
    port: e.PORT,
    host: e.HOST,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxBatchSize: e.MAX_BATCH_SIZE,
    batchTimeoutMs: e.BATCH_TIMEOUT_MS,
    predictionLog: e.PREDICTION_LOG,
    predictionLogSample: e.PREDICTION_LOG_SAMPLE,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    intraOpThreads: e.INTRA_OP_THREADS,
    log,
  });
}

/** Options as given by a test or benchmark, completed with the defaults. */
export function resolveConfig(o: ServerOptions): ServerConfig {
  return {
    modelPath: o.modelPath,
    manifestPath: o.manifestPath === undefined ? null : o.manifestPath,
    profilePath: o.profilePath ?? null,
    modelName: o.modelName ?? null,
    modelVersion: o.modelVersion ?? null,
    port: o.port ?? DEFAULTS.port,
    host: o.host ?? DEFAULTS.host,
    maxBodyBytes: o.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxBatchSize: o.maxBatchSize ?? 0,
    batchTimeoutMs: o.batchTimeoutMs ?? 0,
    predictionLog: o.predictionLog ?? null,
    predictionLogSample: o.predictionLogSample ?? 1,
    shutdownDelayMs: o.shutdownDelayMs ?? 0,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
    intraOpThreads: o.intraOpThreads ?? 1,
    log: o.log ?? stderrLogger(),
  };
}

/**
 * Server logs go to stderr, one line each, so stdout stays free for the prediction log.
 * DEBUG=1 adds debug lines.
 */
export function stderrLogger(debug = process.env.DEBUG === '1'): Logger {
  const line = (level: string, message: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    debug: (m) => debug && line('debug', m),
    group: (_name, fn) => fn(),
  };
}
