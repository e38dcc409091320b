import crypto from 'node:crypto';
import fs from 'node:fs';
import { UserError } from '../../runtime/errors.js';
import type { Descriptor } from '../types.js';
import { RegistryError } from './errors.js';
import { isRetryableStatus, parseRetryAfter, withRetries } from '../../http/retry.js';
import type { RegistrySession } from './session.js';
import { discard, NetworkError, type RequestBody } from '../../http/transport.js';
import { uploadUrl } from './urls.js';

/** A blob's content: small ones as bytes, a model as a file streamed from disk. */
export type BlobSource = { file: string } | { bytes: Buffer };

export type PushOutcome = 'uploaded' | 'skipped' | 'mounted';

/** An upload cut short in a way a fresh upload session may fix (connection cut, 5xx, expired session). */
class UploadInterrupted extends Error {
  constructor(
    readonly failure: RegistryError,
    readonly retryAfterMs: number | undefined,
  ) {
    super(failure.message);
  }
}

/** Does the blob exist in the repository? (HEAD; 404 = no.) */
export async function hasBlob(s: RegistrySession, repo: string, digest: string): Promise<boolean> {
  const operation = `check blob ${digest} in ${repo}`;
  const res = await s.request({ method: 'HEAD', url: s.url(`${repo}/blobs/${digest}`) }, operation);
  await discard(res);
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw await s.fail(res, operation);
}

/**
 * Push one blob: skipped when the registry has it, mounted from `mountFrom` when it can, else
 * POST an upload session and PUT the whole blob (streamed) to its Location. A cut connection or
 * a 5xx during the PUT restarts from a fresh session, under the client's retry policy.
 */
export async function pushBlob(s: RegistrySession, repo: string, desc: Descriptor, source: BlobSource, mountFrom?: string): Promise<PushOutcome> {
  checkSource(desc, source);
  s.auth.need(`repository:${repo}:push,pull`);
  if (mountFrom) s.auth.need(`repository:${mountFrom}:pull`);
  if (await hasBlob(s, repo, desc.digest)) {
    s.counters.blobsSkipped++;
    return 'skipped';
  }
  const operation = `push blob ${desc.digest} (${desc.size} bytes) to ${repo}`;
  const body = (): RequestBody => ('file' in source ? fs.createReadStream(source.file) : source.bytes);
  try {
    return await withRetries(
      s.policy,
      async () => {
        const started = await startUpload(s, repo, desc.digest, mountFrom, operation);
        if (started === 'mounted') return 'mounted';
        await putWhole(s, started, desc, body, operation);
        s.counters.blobsUploaded++;
        s.counters.bytesUploaded += desc.size;
        return 'uploaded';
      },
      (error) => (error instanceof UploadInterrupted ? { retryable: true, retryAfterMs: error.retryAfterMs } : { retryable: false }),
      (error, _n, delay) => s.noteRetry(`upload of ${desc.digest}`, error instanceof Error ? error.message : String(error), delay),
    );
  } catch (error) {
    if (error instanceof UploadInterrupted) throw error.failure.withAttempts(s.policy.attempts);
    throw error;
  }
}

/** Mount `digest` from `fromRepo` (same registry): true if mounted, false if the caller must upload. */
export async function mountBlob(s: RegistrySession, repo: string, digest: string, fromRepo: string): Promise<boolean> {
  s.auth.need(`repository:${repo}:push,pull`);
  s.auth.need(`repository:${fromRepo}:pull`);
  const started = await startUpload(s, repo, digest, fromRepo, `mount blob ${digest} from ${fromRepo} into ${repo}`);
  if (started === 'mounted') return true;
  // The registry opened an upload session instead; close it rather than leave it to expire.
  const res = await s.send({ method: 'DELETE', url: started, retry: false }).catch(() => undefined);
  if (res) await discard(res);
  return false;
}

/** POST an upload session (or a mount): 'mounted', or the session URL to PUT to. */
async function startUpload(s: RegistrySession, repo: string, digest: string, mountFrom: string | undefined, operation: string): Promise<'mounted' | URL> {
  const url = s.url(`${repo}/blobs/uploads/`);
  if (mountFrom) {
    url.searchParams.set('mount', digest);
    url.searchParams.set('from', mountFrom);
  }
  const res = await s.request({ method: 'POST', url, headers: { 'content-length': '0' } }, operation);
  if (res.status === 201 && mountFrom) {
    await discard(res);
    s.counters.blobsMounted++;
    return 'mounted';
  }
  if (res.status !== 202) throw await s.fail(res, operation);
  await discard(res);
  const location = res.headers.get('location');
  if (!location) throw new RegistryError({ registry: s.registry, operation, status: res.status, reason: 'the upload session reply has no Location header' });
  return new URL(location, url);
}

/** PUT the whole blob to the session, one attempt; failures a new session may fix are marked. */
async function putWhole(s: RegistrySession, session: URL, desc: Descriptor, body: () => RequestBody, operation: string): Promise<void> {
  const req = {
    method: 'PUT',
    url: uploadUrl(session.href, session, desc.digest),
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
    body,
    retry: false,
  };
  let res: Response;
  try {
    res = await s.send(req);
  } catch (error) {
    if (error instanceof NetworkError) throw new UploadInterrupted(s.unreachable(error, operation) as RegistryError, undefined);
    throw error;
  }
  if (res.status === 201) {
    await discard(res);
    const echoed = res.headers.get('docker-content-digest');
    if (echoed && echoed !== desc.digest) throw new RegistryError({ registry: s.registry, operation, reason: `the registry stored it as ${echoed}` });
    return;
  }
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const failure = await s.fail(res, operation);
  // 404 BLOB_UPLOAD_UNKNOWN: the session expired or was broken by an earlier cut; start another.
  if (isRetryableStatus(res.status) || failure.has('BLOB_UPLOAD_UNKNOWN')) throw new UploadInterrupted(failure, retryAfterMs);
  throw failure;
}

/** The descriptor must describe the source: a mismatch is a caller's bug or a file changed on disk. */
function checkSource(desc: Descriptor, source: BlobSource): void {
  if ('bytes' in source) {
    const digest = `sha256:${crypto.createHash('sha256').update(source.bytes).digest('hex')}`;
    if (digest !== desc.digest || source.bytes.length !== desc.size) {
      throw new Error(`blob bytes (${digest}, ${source.bytes.length} bytes) do not match their descriptor (${desc.digest}, ${desc.size} bytes)`);
    }
    return;
  }
  let size: number;
  try {
    size = fs.statSync(source.file).size;
  } catch {
    throw new UserError(`Cannot read ${source.file} to push it.`, { where: { file: source.file }, fix: 'Check that the file exists and is readable.' });
  }
  if (size !== desc.size) {
    throw new UserError(`${source.file} is ${size} bytes but its descriptor says ${desc.size}: it changed after it was described.`, { where: { file: source.file }, fix: 'Do not modify the model file while it is being packaged and pushed; re-run the step.' });
  }
}
