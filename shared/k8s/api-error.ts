import type { Cluster } from './kubeconfig.js';
import { UserError } from '../runtime/errors.js';

/** The apiserver's Status body of a failed request. */
export interface ApiStatus {
  code?: number;
  reason?: string;
  message?: string;
  details?: { causes?: { type?: string; message?: string; field?: string }[] };
}

/** The HTTP status and Status body of a client-node ApiException, else undefined. */
export function apiFailure(e: unknown): { code: number; status: ApiStatus } | undefined {
  const err = e as { code?: unknown; body?: unknown };
  if (typeof err?.code !== 'number') return undefined;
  let body = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = { message: body };
    }
  }
  return { code: err.code, status: (body && typeof body === 'object' ? body : {}) as ApiStatus };
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there (connection refused)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS lookup failed)',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  EHOSTUNREACH: 'the host is unreachable',
  DEPTH_ZERO_SELF_SIGNED_CERT: "its certificate is self-signed and not the kubeconfig's certificate-authority",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its certificate is not signed by the kubeconfig's certificate-authority",
  SELF_SIGNED_CERT_IN_CHAIN: "its certificate is not signed by the kubeconfig's certificate-authority",
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate does not name the kubeconfig's server",
};

/**
 * What the user can act on, from an error of an API call: the cluster could not be reached,
 * refused our credentials, or rejected the request (with the apiserver's own message). Other
 * errors are returned as they are (bugs).
 */
export function clusterError(e: unknown, cluster: Cluster, doing: string): unknown {
  if (e instanceof UserError) return e;
  const failure = apiFailure(e);
  if (failure) {
    const { code, status } = failure;
    const message = status.message ?? `HTTP ${code}`;
    if (code === 401) return new UserError(`${doing}: the cluster at ${cluster.server} rejected the credentials of ${cluster.source} (401 Unauthorized)`, { title: 'cluster error', where: { input: 'kubeconfig' }, fix: 'renew the token or client certificate in the kubeconfig' });
    if (code === 403) return new UserError(`${doing}: forbidden: ${message}`, { title: 'cluster error', fix: 'grant the kubeconfig\'s user these permissions (RBAC), or deploy into a namespace it may write' });
    return new UserError(`${doing}: ${message} (HTTP ${code}${status.reason ? `, ${status.reason}` : ''})`, { title: 'cluster error' });
  }
  const cause = causeCode(e);
  // fetch's own failures (refused, DNS, TLS, a port fetch blocks) all mean: not reachable as configured.
  const fetchCause = e instanceof TypeError && e.message === 'fetch failed' ? String((e.cause as Error | undefined)?.message ?? 'network error') : undefined;
  if ((cause && NETWORK[cause]) || fetchCause) {
    return new UserError(`${doing}: cannot reach the cluster at ${cluster.server} named by ${cluster.source}: ${cause ? NETWORK[cause] : fetchCause}`, {
      title: 'cluster unreachable',
      where: { input: 'kubeconfig' },
      fix: 'check the server URL and certificate-authority in the kubeconfig, and that this runner can reach the cluster',
    });
  }
  return e;
}

function causeCode(e: unknown): string | undefined {
  for (let err = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; err && depth < 5; err = err.cause as typeof err, depth++) {
    if (typeof err.code === 'string' && NETWORK[err.code]) return err.code;
  }
  return undefined;
}

/** Run an API call; its failure becomes clusterError(...). */
export async function onCluster<T>(cluster: Cluster, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw clusterError(e, cluster, doing);
  }
}
