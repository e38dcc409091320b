/**
 * GitHub's published OpenAPI description (api.github.com, from @octokit/openapi) as a contract
 * checker for the fake: find the operation for (method, path) and validate a request or a reply
 * against it. The spec is parsed once per process; schemas are compiled lazily, per operation
 * and place, and cached (compiling the whole description would take many seconds).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

export interface Violation {
  operationId: string;
  /** e.g. `request.query.per_page`, `request.body`, `response.201`. */
  where: string;
  message: string;
}

export interface MatchedOperation {
  operationId: string;
  method: string;
  /** The path template, e.g. `/repos/{owner}/{repo}/releases/{release_id}`. */
  template: string;
  /** Decoded path parameters. */
  params: Record<string, string>;
  /** True when the operation is served by uploads.github.com (its `servers` say so). */
  uploads: boolean;
  /** The operation's documentation page (GitHub puts it in error bodies). */
  docsUrl: string;
  /** True when the request body is raw bytes (application/octet-stream), not JSON. */
  binaryBody: boolean;
  op: Json;
  pointer: string;
}

/** Statuses GitHub returns on any endpoint although most operations do not declare them. */
const UNIVERSAL: Record<number, string> = { 401: 'basic-error', 403: 'basic-error', 404: 'basic-error' };
/** Write operations may also fail validation (422) without declaring it. */
const UNIVERSAL_WRITE: Record<number, string> = { 422: 'validation-error' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

let spec: Json;
let ajv: Ajv;
let templates: Array<{ template: string; re: RegExp; names: string[]; literals: number }>;
const validators = new Map<string, ValidateFunction>();

export function specPath(): string {
  return createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
}

/** The parsed description (cached in module scope: ~13 MB of JSON). */
export function loadSpec(): Json {
  if (spec) return spec;
  spec = JSON.parse(fs.readFileSync(specPath(), 'utf8'));
  nullableWithoutType(spec);
  emptyDefaultUri(spec);
  ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, discriminator: false });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => void;
  addFormats(ajv);
  // Formats GitHub uses that ajv-formats does not know: accept any string.
  for (const f of ['repo.nwo', 'timestamp']) ajv.addFormat(f, true);
  // Only the components are registered (cheap: no compilation happens until a schema is used);
  // inline schemas from `paths` are compiled with their `#/components/...` refs rebased onto it.
  ajv.addSchema({ components: spec.components }, 'gh');
  templates = Object.keys(spec.paths).map((template) => compileTemplate(template));
  return spec;
}

/**
 * OpenAPI 3.0's `nullable: true` beside `anyOf`/`oneOf`/`$ref` and no `type` (128 places in
 * GitHub's description, e.g. issue-field-value's value): ajv refuses to compile it, so it is
 * rewritten in place to what it means, `anyOf: [<the schema>, { type: 'null' }]`.
 */
function nullableWithoutType(node: Json): void {
  if (!node || typeof node !== 'object') return;
  for (const v of Object.values(node)) nullableWithoutType(v);
  if (Array.isArray(node) || node.nullable !== true || 'type' in node) return;
  const { nullable: _nullable, description, ...rest } = node;
  for (const k of Object.keys(node)) delete node[k];
  Object.assign(node, { ...(description !== undefined ? { description } : {}), anyOf: [rest, { type: 'null' }] });
}

/**
 * A `format: uri` string whose default is `""` (deployment-status's environment_url, log_url,
 * target_url): GitHub sends `""` when none was set, which the format alone refuses, so `""` is
 * accepted there too.
 */
function emptyDefaultUri(node: Json): void {
  if (!node || typeof node !== 'object') return;
  for (const v of Object.values(node)) emptyDefaultUri(v);
  if (Array.isArray(node) || node.format !== 'uri' || node.default !== '') return;
  const { format: _format, ...rest } = node;
  for (const k of Object.keys(node)) delete node[k];
  Object.assign(node, { ...rest, anyOf: [{ format: 'uri' }, { const: '' }] });
}

function compileTemplate(template: string) {
  const item = spec.paths[template];
  const multi = new Set<string>();
  for (const m of METHODS) for (const p of (item[m]?.parameters ?? []).map(deref)) if (p['x-multi-segment']) multi.add(p.name);
  const names: string[] = [];
  let literals = 0;
  const source = template
    .split('/')
    .map((seg) => {
      const m = /^\{(\w+)\}$/.exec(seg);
      if (!m) {
        if (seg) literals++;
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(m[1]!);
      return multi.has(m[1]!) ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { template, re: new RegExp(`^${source}$`), names, literals };
}

/** Resolve a local `$ref` (`#/components/...`) in the description. */
export function deref(node: Json): Json {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 10; i++) n = resolvePointer(n.$ref);
  return n;
}

function resolvePointer(ref: string): Json {
  let n: Json = spec;
  for (const tok of ref.replace(/^#\//, '').split('/')) n = n?.[tok.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (n === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return n;
}

/** The operation for a request, choosing the most specific template (most literal segments). */
export function findOperation(method: string, path: string): MatchedOperation | undefined {
  loadSpec();
  const m = method.toLowerCase();
  let best: { t: (typeof templates)[number]; match: RegExpExecArray } | undefined;
  for (const t of templates) {
    if (!spec.paths[t.template][m]) continue;
    const match = t.re.exec(path);
    if (match && (!best || t.literals > best.t.literals)) best = { t, match };
  }
  if (!best) return undefined;
  const op = spec.paths[best.t.template][m];
  const params: Record<string, string> = {};
  best.t.names.forEach((name, i) => (params[name] = safeDecode(best.match[i + 1]!)));
  const servers: Json[] = op.servers ?? [];
  return {
    operationId: op.operationId,
    method: m,
    template: best.t.template,
    params,
    uploads: servers.some((s) => /uploads\.github\.com/.test(s.url)),
    docsUrl: op.externalDocs?.url ?? 'https://docs.github.com/rest',
    binaryBody: Boolean(op.requestBody && deref(op.requestBody).content?.['application/octet-stream']),
    op,
    pointer: `#/paths/${best.t.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${m}`,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Deep copy of an inline schema with `#/...` refs pointing into the registered components. */
function rebase(node: Json): Json {
  if (Array.isArray(node)) return node.map(rebase);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `gh${v}` : rebase(v);
  return out;
}

function validator(key: string, schema: Json): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile(rebase(schema));
    validators.set(key, v);
  }
  return v;
}

function messages(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
    const allowed = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
    return `${e.instancePath || '/'} ${e.message}${extra}${allowed}`;
  });
}

function parameters(m: MatchedOperation): Json[] {
  const item = spec.paths[m.template];
  const byKey = new Map<string, Json>();
  for (const p of [...(item.parameters ?? []), ...(m.op.parameters ?? [])].map(deref)) byKey.set(`${p.in}:${p.name}`, p);
  return [...byKey.values()];
}

/** A query or path value is a string; try it as the number/boolean its schema may want too. */
function candidates(raw: string): unknown[] {
  const out: unknown[] = [raw];
  if (/^-?\d+(\.\d+)?$/.test(raw)) out.push(Number(raw));
  if (raw === 'true' || raw === 'false') out.push(raw === 'true');
  return out;
}

export interface RequestToCheck {
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when none was sent. Ignored for binary bodies. */
  body?: unknown;
  /** True when a body was sent (also for binary bodies). */
  hasBody: boolean;
}

export function validateRequest(m: MatchedOperation, req: RequestToCheck): Violation[] {
  const out: Violation[] = [];
  const add = (where: string, message: string) => out.push({ operationId: m.operationId, where, message });
  const params = parameters(m);
  for (const p of params) {
    if (p.in !== 'path' && p.in !== 'query') continue;
    const raw = p.in === 'path' ? m.params[p.name] : (req.query.get(p.name) ?? undefined);
    const where = `request.${p.in}.${p.name}`;
    if (raw === undefined) {
      if (p.required) add(where, 'is required');
      continue;
    }
    if (!p.schema) continue;
    const v = validator(`${m.operationId}|${where}`, p.schema);
    if (!candidates(raw).some((c) => v(c))) add(where, `${JSON.stringify(raw)}: ${messages(v.errors).join('; ')}`);
  }
  const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of new Set(req.query.keys())) {
    if (!known.has(name)) add(`request.query.${name}`, 'is not a parameter of this operation (GitHub ignores it silently)');
  }
  const rb = m.op.requestBody ? deref(m.op.requestBody) : undefined;
  const contentType = String(req.headers['content-type'] ?? '');
  if (!rb) {
    if (req.hasBody) add('request.body', 'this operation takes no request body');
    return out;
  }
  if (!req.hasBody) {
    if (rb.required) add('request.body', 'is required');
    return out;
  }
  if (m.binaryBody) {
    if (!contentType) add('request.headers.content-type', 'is required for an upload');
    if (req.headers['content-length'] === undefined) add('request.headers.content-length', 'is required for an upload');
    return out;
  }
  const media = rb.content?.['application/json'];
  if (!media) return out;
  if (!/json/i.test(contentType)) add('request.headers.content-type', `${JSON.stringify(contentType)} is not JSON`);
  const v = validator(`${m.operationId}|request.body`, media.schema ?? {});
  if (!v(req.body)) for (const msg of messages(v.errors)) add('request.body', msg);
  return out;
}

export interface ReplyToCheck {
  status: number;
  contentType?: string;
  /** Parsed JSON body, or undefined when none. */
  body?: unknown;
  hasBody: boolean;
}

export function validateResponse(m: MatchedOperation, reply: ReplyToCheck): Violation[] {
  const out: Violation[] = [];
  const where = `response.${reply.status}`;
  const add = (message: string) => out.push({ operationId: m.operationId, where, message });
  const declared = m.op.responses?.[String(reply.status)] ?? m.op.responses?.default;
  let schema: Json;
  if (declared) {
    const resp = deref(declared);
    const media = resp.content?.['application/json'] ?? Object.entries(resp.content ?? {}).find(([k]) => /json/.test(k))?.[1];
    if (!resp.content) {
      if ((reply.status === 204 || reply.status === 304) && reply.hasBody) add('must have no body');
      return out;
    }
    if (!media) return out; // a non-JSON reply (e.g. text/html): nothing to check here
    schema = media.schema ?? {};
  } else {
    const universal = UNIVERSAL[reply.status] ?? (m.method !== 'get' ? UNIVERSAL_WRITE[reply.status] : undefined);
    if (!universal) {
      add(`status ${reply.status} is not declared (declared: ${Object.keys(m.op.responses ?? {}).join(', ')})`);
      return out;
    }
    schema = { $ref: `#/components/schemas/${universal}` };
  }
  if (!reply.hasBody || !/json/i.test(reply.contentType ?? '')) {
    add(`must be a JSON body (got ${reply.hasBody ? JSON.stringify(reply.contentType) : 'no body'})`);
    return out;
  }
  const v = validator(`${m.operationId}|${where}`, schema);
  if (!v(reply.body)) for (const msg of messages(v.errors)) add(msg);
  return out;
}
