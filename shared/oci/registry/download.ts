import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Descriptor } from '../types.js';
import { RegistryError } from './errors.js';
import { isNetworkError, withRetries } from '../../http/retry.js';
import type { RegistrySession } from './session.js';
import { bodyStream } from '../../http/transport.js';
import { writeStreamHashed } from '../../runtime/files.js';

/**
 * Download a blob to `file`: streamed to a temp file beside it (redirects to storage followed),
 * hashed on the way, and renamed into place only when size and sha256 match the descriptor. A
 * connection cut mid-body starts the download again under the retry policy.
 */
export async function getBlobToFile(s: RegistrySession, repo: string, desc: Descriptor, file: string): Promise<void> {
  s.auth.need(`repository:${repo}:pull`);
  const operation = `download blob ${desc.digest} from ${repo}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomUUID()}.part`);
  try {
    await withRetries(
      s.policy,
      async () => {
        // identity: the stored bytes, never a transfer encoding of them (the digest covers the bytes).
        const res = await s.request({ method: 'GET', url: s.url(`${repo}/blobs/${desc.digest}`), headers: { 'accept-encoding': 'identity' } }, operation);
        if (res.status !== 200 || !res.body) throw await s.fail(res, operation);
        const tooLarge = () => new RegistryError({ registry: s.registry, operation, reason: `the registry sent more than the ${desc.size} bytes the descriptor says` });
        const { hash, size } = await writeStreamHashed(bodyStream(res), tmp, { maxBytes: desc.size, tooLarge });
        const digest = `sha256:${hash}`;
        if (size !== desc.size || digest !== desc.digest) {
          throw new RegistryError({ registry: s.registry, operation, reason: `received ${size} bytes with digest ${digest}, expected ${desc.size} bytes with ${desc.digest}`, fix: 'The registry (or a proxy) served corrupted content: re-run; if it persists, re-push the artifact.' });
        }
      },
      (error) => ({ retryable: isNetworkError(error) }),
      (error, _n, delay) => s.noteRetry(`download of ${desc.digest}`, error instanceof Error ? error.message : String(error), delay),
    );
    fs.renameSync(tmp, file);
    s.counters.blobsDownloaded++;
  } catch (error) {
    throw s.unreachable(error, operation);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
