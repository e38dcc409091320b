import { z } from 'zod';
import { UserError } from '../../runtime/errors.js';
import { attemptsOf, discard } from '../../http/transport.js';

/** The Distribution API's error body: `{"errors":[{code,message,detail}]}`. */
const errorBodySchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().optional(), detail: z.unknown().optional() })),
});
export type RegistryErrorEntry = z.infer<typeof errorBodySchema>['errors'][number];

/** How to fix what a registry code says, in the user's words. */
const FIX: Record<string, string> = {
  UNAUTHORIZED: 'Log in to the registry: pass a username and password (or token) with access to this repository.',
  DENIED: 'The credentials are valid but lack this permission: grant write access to the repository (on ghcr.io, `permissions: packages: write` and a package linked to this repository).',
  NAME_UNKNOWN: 'Check the repository name: it does not exist in this registry (it is created by the first push).',
  NAME_INVALID: 'Use a lower-case repository name of [a-z0-9._-] components separated by `/`.',
  MANIFEST_UNKNOWN: 'Check the tag or digest: no such manifest in this repository.',
  TAG_INVALID: 'Use a tag of at most 128 characters from [A-Za-z0-9_.-], not starting with `.` or `-`.',
  BLOB_UNKNOWN: 'A blob is missing in the repository: push the blobs before the manifest that refers to them.',
  MANIFEST_BLOB_UNKNOWN: 'A blob the manifest refers to is missing in the repository: push the blobs before the manifest.',
  DIGEST_INVALID: 'The content does not match its digest: was a file changed while it was being pushed?',
  SIZE_INVALID: 'The content does not match its size: was a file changed while it was being pushed?',
  TOOMANYREQUESTS: 'The registry is rate limiting: wait and re-run, or authenticate to get a higher limit.',
  UNSUPPORTED: 'The registry does not support this operation (deletes, for instance, are often disabled).',
};

export interface RegistryErrorInfo {
  registry: string;
  /** What we were doing: "push blob sha256:… to models/x". */
  operation: string;
  status?: number | undefined;
  errors?: RegistryErrorEntry[] | undefined;
  attempts?: number | undefined;
  /** Why, when there is no reply to quote (a network failure). */
  reason?: string | undefined;
  /** The registry never answered (refused, reset, DNS, timeout): titled "network error". */
  network?: boolean | undefined;
  fix?: string | undefined;
}

/**
 * A registry refused a request or could not be reached. It is reported as a UserError (what,
 * where, how to fix) titled "registry error" or "network error", not "invalid input": the cause
 * is in the registry, the credentials or the network, which the user can act on; the
 * registry's own codes are kept for callers (`codes`).
 */
export class RegistryError extends UserError {
  readonly registry: string;
  readonly status: number | undefined;
  readonly codes: string[];
  readonly attempts: number;
  constructor(readonly info: RegistryErrorInfo) {
    const errors = info.errors ?? [];
    const said = errors.map(renderEntry).join('; ');
    const status = info.status !== undefined ? `HTTP ${info.status}` : undefined;
    const attempts = (info.attempts ?? 1) > 1 ? `after ${info.attempts} attempts` : undefined;
    const detail = [said, status, info.reason, attempts].filter(Boolean).join(', ');
    const fix = info.fix ?? errors.map((e) => FIX[e.code]).find(Boolean) ?? defaultFix(info.status);
    super(`Registry ${info.registry}: ${info.operation} failed${detail ? `: ${detail}` : ''}`, { fix, title: info.network ? 'network error' : 'registry error' });
    this.name = 'RegistryError';
    this.registry = info.registry;
    this.status = info.status;
    this.codes = errors.map((e) => e.code);
    this.attempts = info.attempts ?? 1;
  }

  /** The same failure, as the last of `attempts` (an operation retried as a whole). */
  withAttempts(attempts: number): RegistryError {
    return new RegistryError({ ...this.info, attempts });
  }

  has(code: string): boolean {
    return this.codes.includes(code);
  }
}

function renderEntry(e: RegistryErrorEntry): string {
  let text = `${e.code}${e.message ? ` (${e.message})` : ''}`;
  if (e.detail !== undefined && e.detail !== null && e.detail !== '') {
    const detail = typeof e.detail === 'string' ? e.detail : JSON.stringify(e.detail);
    text += `: ${detail.length > 300 ? `${detail.slice(0, 300)}…` : detail}`;
  }
  return text;
}

function defaultFix(status: number | undefined): string | undefined {
  if (status === undefined) return 'Check that the registry address is right and reachable from the runner, then re-run.';
  if (status === 401) return FIX.UNAUTHORIZED;
  if (status === 403) return FIX.DENIED;
  if (status === 404) return 'Check the registry address, repository and reference.';
  if (status === 429) return FIX.TOOMANYREQUESTS;
  if (status >= 500) return 'The registry is failing or unavailable: re-run later, or check its status.';
  return undefined;
}

/** Read a failed response's error body (if any) and build the error; the body is consumed. */
export async function registryError(res: Response, registry: string, operation: string, fix?: string): Promise<RegistryError> {
  let errors: RegistryErrorEntry[] | undefined;
  if (res.body && res.status !== 204) {
    try {
      const text = await res.text();
      const parsed = errorBodySchema.safeParse(JSON.parse(text));
      if (parsed.success) errors = parsed.data.errors;
    } catch {
      // Not JSON (a proxy's HTML page, an empty body): the status speaks for itself.
    }
  } else {
    await discard(res);
  }
  return new RegistryError({ registry, operation, status: res.status, errors, attempts: attemptsOf(res), fix });
}
