import type * as k8s from '@kubernetes/client-node';
import { UserError } from '../runtime/errors.js';
import { importCommonJs } from '../runtime/import.js';

export type KubernetesClient = typeof k8s;

/** @kubernetes/client-node 2 (through undici 8) needs this Node.js; older ones crash on import. */
const NEEDS = [22, 19] as const;

export function nodeSupportsClient(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > NEEDS[0] || (major === NEEDS[0] && minor >= NEEDS[1]);
}

/**
 * The Kubernetes client, loaded only when a command talks to a cluster: the CLI on an older
 * Node.js still runs every other command.
 */
export async function loadKubernetesClient(): Promise<KubernetesClient> {
  if (!nodeSupportsClient()) {
    throw new UserError(`deploy-k8s needs Node.js ${NEEDS.join('.')} or newer (this is ${process.versions.node}): its Kubernetes client, @kubernetes/client-node 2, requires it`, {
      title: 'unsupported Node.js',
      fix: 'run the action (it runs on node24), or run `mlops deploy-k8s` with Node.js 22.19+ or 24; the other commands work on Node.js 20',
    });
  }
  return importCommonJs(() => import('@kubernetes/client-node'));
}
