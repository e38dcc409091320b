import { z } from 'zod';
import { UserError } from '../../runtime/errors.js';
import { epochToRfc3339 } from './json.js';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const stringList = z.array(z.string()).nullable().optional();

/** The runtime part of an image config; fields we do not touch are kept as they are. */
export const containerConfigSchema = z.looseObject({
  User: z.string().optional(),
  Env: stringList,
  Entrypoint: stringList,
  Cmd: stringList,
  WorkingDir: z.string().optional(),
  ExposedPorts: z.record(z.string(), z.unknown()).nullable().optional(),
  Labels: z.record(z.string(), z.string()).nullable().optional(),
});

export const historySchema = z.looseObject({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});
export type HistoryEntry = z.infer<typeof historySchema>;

/** An OCI / Docker image config (the parts appending needs checked; the rest passes through). */
export const imageConfigSchema = z.looseObject({
  // Required by the image spec; a config without them is refused by name (base.ts), not by zod.
  architecture: z.string().default(''),
  os: z.string().default(''),
  variant: z.string().optional(),
  created: z.string().optional(),
  config: containerConfigSchema.optional(),
  rootfs: z.looseObject({ type: z.literal('layers'), diff_ids: z.array(digest) }),
  history: z.array(historySchema).optional(),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;
export type ContainerConfig = z.infer<typeof containerConfigSchema>;

/** What a build sets on top of the base's config. Unset fields keep the base's value. */
export interface ConfigOptions {
  /** Replaces the base's entrypoint and, as Docker does, clears its Cmd (unless `cmd` is given too). */
  entrypoint?: string[];
  cmd?: string[];
  /** Merged into the base's Env: a key given here replaces the base's value in place. */
  env?: Record<string, string>;
  /** `65532`, `65532:65532`, `nonroot`. */
  user?: string;
  /** Absolute path. */
  workingDir?: string;
  /** `8080`, `8080/tcp`, `9000/udp`; added to the base's. */
  exposedPorts?: string[];
  /** Merged into the base's labels; ours win. */
  labels?: Record<string, string>;
}

/** A new layer's history entry. */
export interface LayerHistory {
  createdBy?: string;
  comment?: string;
}

function portKey(port: string): string {
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(port.trim());
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) {
    throw new UserError(`\`${port}\` is not a port.`, { where: { input: 'expose' }, fix: 'Write a port number with an optional protocol: 8080, 8080/tcp, 9000/udp.' });
  }
  return `${Number(m[1])}/${m[2] ?? 'tcp'}`;
}

function mergeEnv(base: string[], ours: Record<string, string>): string[] {
  for (const key of Object.keys(ours)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new UserError(`\`${key}\` is not an environment variable name.`, { where: { input: 'env' } });
  }
  const keyOf = (line: string) => line.split('=', 1)[0]!;
  const merged = base.map((line) => (Object.hasOwn(ours, keyOf(line)) ? `${keyOf(line)}=${ours[keyOf(line)]}` : line));
  const present = new Set(base.map(keyOf));
  for (const [key, value] of Object.entries(ours)) if (!present.has(key)) merged.push(`${key}=${value}`);
  return merged;
}

/** The container config of the new image: the base's, with the options applied. */
export function applyConfigOptions(base: ContainerConfig | undefined, opts: ConfigOptions): ContainerConfig {
  const c: ContainerConfig = { ...(base ?? {}) };
  if (opts.entrypoint) {
    c.Entrypoint = opts.entrypoint;
    c.Cmd = opts.cmd; // Docker: ENTRYPOINT resets the CMD inherited from the base (undefined: dropped)
  } else if (opts.cmd) {
    c.Cmd = opts.cmd;
  }
  if (opts.env) c.Env = mergeEnv(c.Env ?? [], opts.env);
  if (opts.user !== undefined) {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(opts.user)) {
      throw new UserError(`\`${opts.user}\` is not a user.`, { where: { input: 'user' }, fix: 'Give a user name or uid, optionally with a group: 65532 or 65532:65532.' });
    }
    c.User = opts.user;
  }
  if (opts.workingDir !== undefined) {
    if (!opts.workingDir.startsWith('/')) throw new UserError(`The working directory \`${opts.workingDir}\` is not absolute.`, { where: { input: 'workdir' }, fix: 'Use an absolute path such as /app.' });
    c.WorkingDir = opts.workingDir;
  }
  if (opts.exposedPorts?.length) {
    const ports: Record<string, unknown> = { ...(c.ExposedPorts ?? {}) };
    for (const p of opts.exposedPorts) ports[portKey(p)] = {};
    c.ExposedPorts = ports;
  }
  if (opts.labels && Object.keys(opts.labels).length) c.Labels = { ...(c.Labels ?? {}), ...opts.labels };
  return c;
}

/**
 * The config of base + new layers: diff_ids appended, one history entry per new layer, the
 * options applied, and every time set to SOURCE_DATE_EPOCH (never "now").
 */
export function appendToConfig(base: ImageConfig, diffIds: string[], history: LayerHistory[], opts: ConfigOptions, sourceDateEpoch: number): ImageConfig {
  const created = epochToRfc3339(sourceDateEpoch);
  const added: HistoryEntry[] = history.map((h) => ({ created, created_by: h.createdBy ?? 'mlops-actions build-image', ...(h.comment ? { comment: h.comment } : {}) }));
  return {
    ...base,
    created,
    config: applyConfigOptions(base.config, opts),
    rootfs: { ...base.rootfs, type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...diffIds] },
    history: [...(base.history ?? []), ...added],
  };
}
