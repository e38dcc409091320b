import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import Dockerode from 'dockerode';
import { parseImageReference } from '../../shared/oci/image/reference.js';
import { type TarEntry, writeTar } from '../../shared/oci/image/tar.js';
import { UserError } from '../../shared/runtime/errors.js';

/**
 * The `docker` builder: the same image contents as the `oci` builder, built by a Docker daemon
 * (or anything speaking its API: podman's `system service`) from a generated Dockerfile, or
 * from the user's own. No shell is involved anywhere: the Dockerfile has no RUN, every value in
 * it is validated or quoted for the Dockerfile lexer, and the context is a tar we write.
 *
 * Files reach the image by COPY of a prepared tree, not `COPY --chmod`: the daemon's classic
 * builder (what the Engine API's /build runs without a BuildKit session, and what podman
 * emulates) rejects `--chmod`, and COPY keeps the mode a file has in the context tar, which we
 * set. One COPY per destination directory, in the order the files are given (put what changes
 * most, the model, last), so only the files themselves are touched: an existing parent such as
 * /tmp or a user's home keeps its mode and owner.
 */

/** The context folder holding our files, at their image paths: `mlops-files/opt/mlops/server.mjs`. */
export const CONTEXT_FILES_DIR = 'mlops-files';
/** Build argument carrying `baseImage` to a user's Dockerfile (`ARG MLOPS_BASE_IMAGE` / `FROM ${MLOPS_BASE_IMAGE}`). */
export const BASE_IMAGE_ARG = 'MLOPS_BASE_IMAGE';

export interface DockerBuildFile {
  /** Absolute path in the image. */
  path: string;
  /** A host file, or the bytes. */
  source: string | Buffer;
  mode: number;
}

export interface DockerImageConfig {
  entrypoint: string[];
  env: Record<string, string>;
  user: string;
  workingDir: string;
  /** `8080/tcp`, `9090` (tcp), `53/udp`. */
  exposedPorts: string[];
  labels: Record<string, string>;
}

export interface DockerAuth {
  username: string;
  password: string;
  /** The registry: `ghcr.io`, `127.0.0.1:5000`. */
  serveraddress: string;
}

export interface DockerBuildOptions {
  /** A client, a socket path, or a DOCKER_HOST value (`unix://…`, `tcp://…`); default: DOCKER_HOST, else the default socket. */
  docker?: Dockerode | string;
  baseImage: string;
  files: DockerBuildFile[];
  config: DockerImageConfig;
  /**
   * A Dockerfile of the user's to build instead of the generated one, with its directory as the
   * context (`.dockerignore` honoured). Our files are added under `mlops-files/` for it to COPY;
   * of `config`, only the labels apply (as build labels); `baseImage` is the build argument
   * MLOPS_BASE_IMAGE.
   */
  dockerfile?: string;
  /** Full references `registry/repository:tag`; the first names the build. */
  tags: string[];
  push: boolean;
  /** Credentials for the registry `serveraddress`: used to push, and to pull the base from it. */
  auth?: DockerAuth;
  log: (line: string) => void;
  /** `linux/amd64`: the build's platform (and the base's). */
  platform?: string;
  /** Pull the base even when the daemon has it (default true: a tag may have moved). */
  pull?: boolean;
  /** mtime of the files in the context, which COPY keeps (default 0). */
  sourceDateEpoch?: number;
  /** Where the context tar is written (default: the OS temp dir). */
  tmpDir?: string;
}

export interface DockerBuildResult {
  /** The pushed manifest's digest; null when not pushed. */
  digest: string | null;
  /** The daemon's image id (its config digest). */
  imageId: string;
  tags: string[];
}

/** A JSON message of the daemon's build or push progress stream. */
interface ProgressMessage {
  stream?: string;
  status?: string;
  id?: string;
  progress?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: { ID?: string; Digest?: string; Tag?: string; Size?: number };
  message?: string;
}

// ---------------------------------------------------------------------------------------------
// Dockerfile text

/** Paths we write into COPY and WORKDIR: nothing the Dockerfile lexer, JSON or a glob would read specially. */
const SAFE_PATH = /^\/(?:[A-Za-z0-9._+@,=:~-]+\/?)*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/:-]*$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]*(?::[A-Za-z0-9_][A-Za-z0-9._-]*)?$/;
const PORT = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/;
const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/;

const useOci = 'Use builder: oci, which writes the image config directly and takes any value.';

function safePath(p: string, what: string): string {
  const parts = p.split('/').slice(1);
  if (!SAFE_PATH.test(p) || parts.some((s) => s === '.' || s === '..')) {
    throw new UserError(`The docker builder cannot put ${what} \`${p}\` in a Dockerfile: only absolute paths of letters, digits and . _ + @ , = : ~ - are allowed (no spaces, quotes, $, \\ or glob characters).`, { fix: useOci });
  }
  return p;
}

/**
 * A value as a double-quoted Dockerfile word: inside double quotes the lexer (Docker's and
 * buildah's) gives `\` special meaning before `"`, `$` and `\` only, and expands `$`; escaping
 * those three keeps every other character as it is. A line break cannot be written at all.
 */
export function dockerfileQuote(value: string, what: string): string {
  if (/[\r\n\0]/.test(value)) {
    throw new UserError(`${what} contains a line break or NUL, which a Dockerfile cannot hold.`, { fix: useOci });
  }
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

function splitTag(ref: string): { repository: string; tag: string; registry: string } {
  if (ref.includes('@')) throw new UserError(`\`${ref}\` is a digest reference: a tag must be \`registry/repository:tag\`.`, { where: { input: 'tags' } });
  const { registry } = parseImageReference(ref);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  // The repository as written: the daemon knows the image by the name we tagged it with.
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1), registry };
  return { repository: ref, tag: 'latest', registry };
}

/** `https://index.docker.io/v1/`, `docker.io`, `ghcr.io/` -> the registry host as parseImageReference names it. */
function registryHost(serveraddress: string): string {
  const host = serveraddress.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/.test(host) ? 'index.docker.io' : host;
}

function contextPath(imagePath: string): string {
  return `${CONTEXT_FILES_DIR}${imagePath}`;
}

/** The generated Dockerfile: FROM, one COPY per destination directory, then the config. */
export function generateDockerfile(baseImage: string, files: DockerBuildFile[], config: DockerImageConfig): string {
  if (!IMAGE_REF.test(baseImage)) throw new UserError(`\`${baseImage}\` is not an image reference the docker builder can use.`, { where: { input: 'base-image' } });
  const lines = [`FROM ${baseImage}`];
  const byDir = new Map<string, string[]>();
  for (const f of files) {
    safePath(f.path, 'the file');
    if (f.path.endsWith('/')) throw new UserError(`\`${f.path}\` is a directory path: list files.`);
    const dir = path.posix.dirname(f.path);
    const sources = byDir.get(dir) ?? [];
    sources.push(contextPath(f.path));
    byDir.set(dir, sources);
  }
  for (const [dir, sources] of byDir) lines.push(`COPY ${JSON.stringify([...sources, dir === '/' ? '/' : `${dir}/`])}`);
  // One instruction each for ENV, LABEL and EXPOSE (a step, and with some daemons an
  // intermediate image, per instruction otherwise), pairs on continuation lines.
  const env = Object.entries(config.env).map(([key, value]) => {
    if (!ENV_KEY.test(key)) throw new UserError(`\`${key}\` is not an environment variable name the docker builder can write (letters, digits, _).`, { fix: useOci });
    return `${key}=${dockerfileQuote(value, `The value of ${key}`)}`;
  });
  const labels = Object.entries(config.labels).map(([key, value]) => {
    if (!LABEL_KEY.test(key)) throw new UserError(`\`${key}\` is not a label key the docker builder can write (letters, digits, . _ / : -).`, { where: { input: 'labels' }, fix: useOci });
    return `${key}=${dockerfileQuote(value, `The label ${key}`)}`;
  });
  const ports = config.exposedPorts.map((port) => {
    const m = PORT.exec(port);
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535) throw new UserError(`\`${port}\` is not a port (\`8080\`, \`8080/tcp\`, \`53/udp\`).`);
    return `${Number(m[1])}/${m[2] ?? 'tcp'}`;
  });
  const instruction = (name: string, words: string[]) => {
    if (words.length) lines.push(`${name} ${words.join(' \\\n    ')}`);
  };
  instruction('ENV', env);
  instruction('LABEL', labels);
  instruction('EXPOSE', ports);
  if (!USER.test(config.user)) throw new UserError(`\`${config.user}\` is not a user the docker builder can write (\`65532\`, \`app\`, \`app:app\`).`, { fix: useOci });
  lines.push(`USER ${config.user}`);
  lines.push(`WORKDIR ${safePath(config.workingDir, 'the working directory')}`);
  // Exec form: JSON, never expanded nor run by a shell. JSON.stringify keeps it on one line.
  lines.push(`ENTRYPOINT ${JSON.stringify(config.entrypoint)}`);
  // Docker clears an inherited CMD when ENTRYPOINT is set; say so for builders that do not.
  lines.push('CMD []');
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Build context

interface IgnoreRule {
  re: RegExp;
  exclude: boolean;
}

/** `.dockerignore` as Docker reads it: cleaned patterns, `*` `?` `[…]` within a segment, `**` across, `!` exceptions, the last match wins, and a pattern matching a directory excludes what is under it. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let line of text.split(/\r?\n/)) {
    line = line.trim();
    if (!line || line.startsWith('#')) continue;
    const exclude = !line.startsWith('!');
    if (!exclude) line = line.slice(1).trim();
    let pattern = path.posix.normalize(line.replace(/^\/+/, '')).replace(/\/+$/, '');
    if (pattern === '.' || pattern === '') pattern = '';
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i]!;
      if (c === '*' && pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else if (c === '*') re += '[^/]*';
      else if (c === '?') re += '[^/]';
      else if (c === '[') {
        const end = pattern.indexOf(']', i + 1);
        if (end < 0) re += '\\[';
        else {
          re += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
          i = end;
        }
      } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
      else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
    }
    rules.push({ re: new RegExp(`^${re}$`), exclude });
  }
  return rules;
}

export function isIgnored(rules: IgnoreRule[], rel: string): boolean {
  const parts = rel.split('/');
  let ignored = false;
  for (const rule of rules) {
    let matched = false;
    for (let i = 1; i <= parts.length && !matched; i++) matched = rule.re.test(parts.slice(0, i).join('/'));
    if (matched) ignored = rule.exclude;
  }
  return ignored;
}

/** The user's context directory as tar entries: files, directories and symlinks with their modes, minus what `.dockerignore` excludes. */
function directoryEntries(dir: string, dockerfileRel: string): TarEntry[] {
  const ignoreFile = path.join(dir, '.dockerignore');
  const rules = fs.existsSync(ignoreFile) ? parseDockerignore(fs.readFileSync(ignoreFile, 'utf8')) : [];
  const hasExceptions = rules.some((r) => !r.exclude);
  // The daemon needs the Dockerfile (and Docker's CLI always sends .dockerignore) even when ignored.
  const always = new Set([dockerfileRel, '.dockerignore']);
  const entries: TarEntry[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      const st = fs.lstatSync(full);
      const ignored = !always.has(r) && isIgnored(rules, r);
      if (r === CONTEXT_FILES_DIR) {
        if (ignored) continue;
        throw new UserError(`The Dockerfile's directory already has \`${CONTEXT_FILES_DIR}\`, the folder the docker builder puts the server and model in.`, { where: { file: full }, fix: `Rename or move it, or add \`${CONTEXT_FILES_DIR}\` to .dockerignore.` });
      }
      if (st.isDirectory()) {
        if (!ignored) entries.push({ path: r, source: { directory: true }, mode: st.mode & 0o7777 });
        if (!ignored || hasExceptions) walk(r);
      } else if (ignored) {
        continue;
      } else if (st.isSymbolicLink()) {
        entries.push({ path: r, source: { symlink: fs.readlinkSync(full) } });
      } else if (st.isFile()) {
        entries.push({ path: r, source: { file: full }, mode: st.mode & 0o7777 });
      }
    }
  };
  walk('');
  // An ignored directory holding an exception's file is not listed: writeTar adds it as a parent.
  return entries;
}

/** The context tar: the user's directory or the generated Dockerfile, and our files under mlops-files/. */
async function writeContext(opts: DockerBuildOptions, generated: string | undefined, work: string): Promise<{ tar: string; dockerfile: string }> {
  const ours: TarEntry[] = opts.files.map((f) => {
    if (!f.path.startsWith('/')) throw new UserError(`\`${f.path}\` is not an absolute path in the image.`);
    return { path: contextPath(f.path), source: typeof f.source === 'string' ? { file: f.source } : { bytes: f.source }, mode: f.mode };
  });
  let entries: TarEntry[];
  let dockerfile: string;
  if (opts.dockerfile) {
    const file = path.resolve(opts.dockerfile);
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UserError(`The Dockerfile ${opts.dockerfile} does not exist.`, { where: { input: 'dockerfile' } });
    dockerfile = path.basename(file);
    entries = [...directoryEntries(path.dirname(file), dockerfile), ...ours];
  } else {
    dockerfile = 'Dockerfile';
    entries = [{ path: dockerfile, source: { bytes: generated ?? '' }, mode: 0o644 }, ...ours];
  }
  const tar = path.join(work, 'context.tar');
  await writeTar(entries, tar, { sourceDateEpoch: opts.sourceDateEpoch ?? 0 });
  return { tar, dockerfile };
}

// ---------------------------------------------------------------------------------------------
// Daemon

function clientFor(docker: DockerBuildOptions['docker']): Dockerode {
  if (docker instanceof Dockerode) return docker;
  if (docker && typeof docker === 'object') return docker; // another copy of dockerode
  if (!docker) return new Dockerode();
  if (docker.startsWith('/')) return new Dockerode({ socketPath: docker });
  if (docker.startsWith('unix://')) return new Dockerode({ socketPath: docker.slice('unix://'.length) });
  const url = new URL(docker.includes('://') ? docker : `tcp://${docker}`);
  if (url.protocol === 'ssh:') return new Dockerode({ protocol: 'ssh', host: url.hostname, port: url.port || 22, username: url.username || undefined });
  const https = url.protocol === 'https:' || url.port === '2376' || process.env.DOCKER_TLS_VERIFY === '1';
  return new Dockerode({ protocol: https ? 'https' : 'http', host: url.hostname, port: url.port || (https ? 2376 : 2375) });
}

/** Where the client connects, for messages. */
function daemonAddress(docker: Dockerode): string {
  const modem = docker.modem as unknown as { socketPath?: unknown; host?: string; port?: string | number; protocol?: string };
  if (modem.host) return `${modem.protocol ?? 'http'}://${modem.host}${modem.port ? `:${modem.port}` : ''}`;
  if (typeof modem.socketPath === 'string') return `unix://${modem.socketPath}`;
  return 'unix:///var/run/docker.sock (the default socket)';
}

async function connect(docker: Dockerode, log: (line: string) => void): Promise<void> {
  const where = daemonAddress(docker);
  try {
    await docker.ping();
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { statusCode?: number };
    const reason = e.code === 'EACCES' ? 'permission denied on the socket' : e.code === 'ENOENT' ? 'the socket does not exist' : e.code === 'ECONNREFUSED' ? 'connection refused' : e.message;
    throw new UserError(`Cannot reach a Docker daemon at ${where} (${reason}).`, {
      where: { input: 'builder' },
      fix:
        e.code === 'EACCES'
          ? 'Run the job as a user in the `docker` group, or point DOCKER_HOST at a socket this user may open.'
          : 'Start Docker on the runner (GitHub-hosted Ubuntu runners have it running), or set DOCKER_HOST (unix:///path/to/docker.sock, tcp://host:2375) to a daemon; podman works too: `podman system service --time=0 unix:///tmp/podman.sock` and DOCKER_HOST=unix:///tmp/podman.sock. Or use builder: oci, which needs no daemon.',
    });
  }
  try {
    const v = (await docker.version()) as { Version?: string; ApiVersion?: string; Os?: string; Arch?: string; Components?: { Name: string; Version: string }[] };
    const engine = v.Components?.find((c) => c.Name !== 'Engine')?.Name;
    log(`Daemon at ${where}: ${engine ? `${engine} ` : ''}${v.Version ?? '?'} (API ${v.ApiVersion ?? '?'}, ${v.Os ?? '?'}/${v.Arch ?? '?'})`);
  } catch {
    log(`Daemon at ${where}`);
  }
}

/** JSON messages of a progress stream, whether newline-separated (Docker) or back to back. */
async function followJson(stream: NodeJS.ReadableStream, onMessage: (m: ProgressMessage) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  const flush = (final: boolean) => {
    for (;;) {
      buf = buf.replace(/^\s+/, '');
      if (!buf) return;
      // Find the end of the first top-level JSON value.
      let depth = 0;
      let inString = false;
      let end = -1;
      for (let i = 0; i < buf.length; i++) {
        const c = buf[i];
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) {
            end = i + 1;
            break;
          }
        }
      }
      if (end < 0) {
        // An incomplete value waits for more data; at the end, it is shown as text.
        if (final) {
          onMessage({ stream: buf });
          buf = '';
        }
        return;
      }
      const text = buf.slice(0, end);
      buf = buf.slice(end);
      try {
        onMessage(JSON.parse(text) as ProgressMessage);
      } catch {
        onMessage({ stream: text });
      }
    }
  };
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (d: Buffer | string) => {
      buf += typeof d === 'string' ? d : decoder.write(d);
      flush(false);
    });
    stream.on('error', reject);
    stream.on('end', () => {
      buf += decoder.end();
      flush(true);
      resolve();
    });
  });
}

/** Keeps the last lines of a log for error messages. */
class Tail {
  private lines: string[] = [];
  constructor(private readonly max = 25) {}
  push(line: string) {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

function apiError(error: unknown): string {
  const e = error as { json?: { message?: string } | string; reason?: string; statusCode?: number; message?: string };
  const json = typeof e.json === 'string' ? e.json : e.json?.message;
  return json ? `${e.statusCode ?? ''} ${json}`.trim() : (e.message ?? String(error));
}

/** X-Registry-Config: credentials keyed by registry, which the daemon uses for that registry only. */
function registryConfig(auth: DockerAuth | undefined): Record<string, { username: string; password: string; serveraddress: string }> | undefined {
  if (!auth) return undefined;
  const host = registryHost(auth.serveraddress);
  const key = host === 'index.docker.io' ? 'https://index.docker.io/v1/' : host;
  return { [key]: { username: auth.username, password: auth.password, serveraddress: key } };
}

async function build(docker: Dockerode, opts: DockerBuildOptions, context: { tar: string; dockerfile: string }): Promise<string> {
  const tail = new Tail();
  const log = (line: string) => {
    tail.push(line);
    opts.log(line);
  };
  const seen = new Map<string, string>();
  let failure: string | undefined;
  let auxId: string | undefined;
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(fs.createReadStream(context.tar), {
      t: opts.tags[0],
      dockerfile: context.dockerfile,
      // The generated Dockerfile has the labels; a user's gets them as build labels.
      ...(opts.dockerfile ? { labels: opts.config.labels } : {}),
      ...(opts.platform ? { platform: opts.platform } : {}),
      pull: opts.pull ?? true,
      rm: true,
      forcerm: true,
      ...(opts.dockerfile ? { buildargs: { [BASE_IMAGE_ARG]: opts.baseImage } } : {}),
      ...(opts.auth ? { registryconfig: registryConfig(opts.auth) } : {}),
    });
  } catch (error) {
    throw new UserError(`The daemon refused the build: ${apiError(error)}`, { fix: 'Check platform, the tags and the Dockerfile name against what this daemon supports.' });
  }
  await followJson(stream, (m) => {
    if (m.error || m.errorDetail) {
      failure = m.errorDetail?.message ?? m.error;
      return;
    }
    if (m.aux?.ID) auxId = m.aux.ID;
    if (m.stream) {
      for (const line of m.stream.split('\n')) if (line.trim()) log(line.trimEnd());
    } else if (m.status) {
      // Pull progress: one line per layer and state, not per progress tick.
      const key = m.id ?? '';
      if (seen.get(key) !== m.status) {
        seen.set(key, m.status);
        log(m.id ? `${m.id}: ${m.status}` : m.status);
      }
    } else if (m.message) log(m.message);
  });
  if (failure) {
    throw new UserError(`The image build failed: ${failure}\n--- last lines of the build log ---\n${tail.text()}`, {
      where: opts.dockerfile ? { file: opts.dockerfile } : { input: 'builder' },
      fix: /pull|manifest|unauthorized|denied|not found|no such host|http: server gave HTTP response/i.test(failure)
        ? 'Check base-image: that the daemon can reach its registry, and the credentials when it is private.'
        : 'See the build log above.',
    });
  }
  // The id as the daemon has it under our first tag (the aux ID, when sent, is the same).
  let imageId: string;
  try {
    imageId = (await docker.getImage(opts.tags[0]!).inspect()).Id;
  } catch (error) {
    throw new Error(`The build finished but ${opts.tags[0]} is not in the daemon (${apiError(error)}); the build log ended with:\n${tail.text()}`);
  }
  if (auxId && auxId !== imageId) opts.log(`note: the build reported ${auxId}, the tag names ${imageId}`);
  for (const ref of opts.tags.slice(1)) {
    const { repository, tag } = splitTag(ref);
    try {
      await docker.getImage(imageId).tag({ repo: repository, tag });
    } catch (error) {
      throw new Error(`Tagging ${imageId} as ${ref} failed: ${apiError(error)}`);
    }
  }
  return imageId;
}

async function pushTag(docker: Dockerode, ref: string, opts: DockerBuildOptions): Promise<string | null> {
  const { repository, tag, registry } = splitTag(ref);
  const tail = new Tail();
  const seen = new Map<string, string>();
  let failure: string | undefined;
  let auxDigest: string | undefined;
  let statusDigest: string | undefined;
  let stream: NodeJS.ReadableStream;
  const log = (line: string) => {
    tail.push(line);
    opts.log(line);
  };
  // X-Registry-Auth is sent on to whatever registry the tag names (podman ignores its
  // serveraddress), so only when that is the credentials' registry. Otherwise an empty auth
  // object: some daemons want the header.
  const matches = !!opts.auth && registryHost(opts.auth.serveraddress) === registry;
  if (opts.auth && !matches) opts.log(`Pushing ${ref} without credentials: they are for ${opts.auth.serveraddress}`);
  const authconfig = opts.auth && matches ? { username: opts.auth.username, password: opts.auth.password, serveraddress: opts.auth.serveraddress } : {};
  try {
    stream = (await docker.getImage(repository).push({ tag, authconfig })) as NodeJS.ReadableStream;
  } catch (error) {
    throw new UserError(`The daemon refused to push ${ref}: ${apiError(error)}`);
  }
  await followJson(stream, (m) => {
    if (m.error || m.errorDetail) {
      failure = m.errorDetail?.message ?? m.error;
      return;
    }
    if (m.aux?.Digest) auxDigest = m.aux.Digest;
    if (m.status) {
      // Docker's and podman's last status line: `<tag>: digest: sha256:… size: N`.
      const d = /digest: (sha256:[0-9a-f]{64})/.exec(m.status);
      if (d) statusDigest = d[1]!;
      const key = m.id ?? '';
      if (seen.get(key) !== m.status) {
        seen.set(key, m.status);
        log(m.id ? `${m.id}: ${m.status}` : m.status);
      }
    } else if (m.stream) {
      for (const line of m.stream.split('\n')) if (line.trim()) log(line.trimEnd());
    }
  });
  if (failure) {
    throw new UserError(`Pushing ${ref} failed: ${failure}\n--- last lines of the push log ---\n${tail.text()}`, {
      where: { input: 'tags' },
      fix: /unauthori[sz]ed|denied|authentication required|401|403/i.test(failure) ? 'Check username/password (the token needs write access to the repository).' : 'See the push log above.',
    });
  }
  if (auxDigest && statusDigest && auxDigest !== statusDigest) opts.log(`note: the push reported ${auxDigest} (aux) and ${statusDigest} (status)`);
  return auxDigest ?? statusDigest ?? null;
}

/**
 * Build `tags` with the daemon from a generated Dockerfile (or `dockerfile`) and, if `push`,
 * push every tag; the result's digest is the pushed manifest's, as the daemon reports it.
 */
export async function buildWithDocker(opts: DockerBuildOptions): Promise<DockerBuildResult> {
  if (opts.tags.length === 0) throw new UserError('The docker builder needs at least one tag to name the image.', { where: { input: 'tags' } });
  for (const t of opts.tags) splitTag(t);
  // Inputs first (a Dockerfile that cannot be written is the user's to fix, daemon or not), then
  // the daemon, then the context (a model can be large).
  const generated = opts.dockerfile ? undefined : generateDockerfile(opts.baseImage, opts.files, opts.config);
  const docker = clientFor(opts.docker);
  await connect(docker, opts.log);
  if (generated) {
    opts.log('Generated Dockerfile:');
    for (const line of generated.trimEnd().split('\n')) opts.log(`  ${line}`);
  }
  const work = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'mlops-docker-'));
  try {
    const context = await writeContext(opts, generated, work);
    const imageId = await build(docker, opts, context);
    opts.log(`Built ${imageId} as ${opts.tags.join(', ')}`);
    let digest: string | null = null;
    if (opts.push) {
      for (const ref of opts.tags) {
        const d = await pushTag(docker, ref, opts);
        if (!d) throw new Error(`The daemon pushed ${ref} without reporting its digest (no aux.Digest, no "digest: sha256:…" status).`);
        if (digest && d !== digest) opts.log(`note: ${ref} was pushed as ${d}, the first tag as ${digest}`);
        digest ??= d;
      }
      opts.log(`Pushed ${digest}`);
    }
    return { digest, imageId, tags: opts.tags };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
