import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import YAML from 'yaml';
import type { KubernetesClient } from './client.js';
import type { Context } from '../runtime/context.js';
import { UserError, type Where } from '../runtime/errors.js';
import { readUserText } from '../runtime/files.js';

/** A loaded kubeconfig and where it came from, for every later error message. */
export interface Cluster {
  config: KubeConfig;
  /** `the kubeconfig input`, a file path, or `the in-cluster service account`. */
  source: string;
  server: string;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * The `kubeconfig` input (content or a path), else $KUBECONFIG, ~/.kube/config or the pod's
 * service account. Its credentials are masked before anything can print them; a malformed file
 * or one without a usable cluster is a UserError naming it.
 */
export function loadKubeconfig(k8s: KubernetesClient, given: string | undefined, ctx: Context): Cluster {
  const config = new k8s.KubeConfig();
  if (given === undefined) {
    const envFile = ctx.env.KUBECONFIG?.split(path.delimiter).find(Boolean);
    const home = path.join(os.homedir(), '.kube', 'config');
    const file = envFile ?? (fs.existsSync(home) ? home : undefined);
    if (file) return fromText(k8s, readUserText(file, { display: file }), file, { file }, ctx);
    if (fs.existsSync(IN_CLUSTER_TOKEN)) {
      ctx.mask(fs.readFileSync(IN_CLUSTER_TOKEN, 'utf8'));
      config.loadFromCluster();
      return checked(config, 'the in-cluster service account', {});
    }
    throw new UserError('no kubeconfig: the `kubeconfig` input is empty, KUBECONFIG is unset, ~/.kube/config does not exist and this is not a pod', {
      where: { input: 'kubeconfig' },
      fix: 'pass the kubeconfig (its content from a secret, or a path) as `kubeconfig`',
    });
  }
  const isContent = given.includes('\n') || /^\s*(apiVersion|kind|clusters|\{)/.test(given);
  if (isContent) return fromText(k8s, given, 'the `kubeconfig` input', { input: 'kubeconfig' }, ctx);
  const file = path.resolve(ctx.workspace, given);
  return fromText(k8s, readUserText(file, { input: 'kubeconfig', display: given }), given, { file: given }, ctx);
}

function fromText(k8s: KubernetesClient, text: string, source: string, where: Where, ctx: Context): Cluster {
  const doc = YAML.parseDocument(text);
  const bad = (why: string, at: Where = where) =>
    new UserError(`${source} is not a usable kubeconfig: ${why}`, { where: at, title: 'invalid kubeconfig', fix: 'give a kubeconfig as `kubectl config view --minify --flatten` prints it' });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const pos = err.linePos?.[0];
    throw bad(err.message.split(/ at line \d+|\n/)[0]!, where.file && pos ? { file: where.file, line: pos.line, column: pos.col } : where);
  }
  const raw: unknown = doc.toJS();
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw bad('expected a mapping with clusters, users and contexts');
  maskCredentials(raw as Record<string, unknown>, ctx);
  const config = new k8s.KubeConfig();
  try {
    config.loadFromString(text);
  } catch (e) {
    throw bad((e as Error).message);
  }
  return checked(config, source, where);
}

function checked(config: KubeConfig, source: string, where: Where): Cluster {
  const bad = (why: string) => new UserError(`${source} is not a usable kubeconfig: ${why}`, { where, title: 'invalid kubeconfig' });
  const current = config.getCurrentContext();
  if (!current) throw bad('it has no current-context');
  if (!config.getContextObject(current)) throw bad(`its current-context "${current}" is not among its contexts`);
  const cluster = config.getCurrentCluster();
  if (!cluster) throw bad(`the context "${current}" names a cluster that is not among its clusters`);
  if (!cluster.server) throw bad(`the cluster "${cluster.name}" has no server`);
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw bad(`the cluster "${cluster.name}" has a server that is not a URL: ${cluster.server}`);
  }
  return { config, source, server: url.origin };
}

/** Tokens, passwords and client keys (inline, or the files they name) never reach the log. */
function maskCredentials(raw: Record<string, unknown>, ctx: Context): void {
  const users = Array.isArray(raw.users) ? raw.users : [];
  for (const entry of users) {
    const user = (entry as { user?: Record<string, unknown> } | null)?.user;
    if (!user || typeof user !== 'object') continue;
    for (const key of ['token', 'password', 'client-key-data']) {
      const value = user[key];
      if (typeof value !== 'string' || !value) continue;
      ctx.mask(value);
      if (key === 'client-key-data') maskPem(Buffer.from(value, 'base64').toString('utf8'), ctx);
    }
    for (const key of ['client-key', 'tokenFile']) {
      const file = user[key];
      if (typeof file === 'string' && fs.existsSync(file)) maskPem(fs.readFileSync(file, 'utf8'), ctx);
    }
  }
}

/** A PEM key's base64 lines (its BEGIN/END lines are no secret, and masking them hides every certificate's). */
function maskPem(text: string, ctx: Context): void {
  for (const line of text.split(/\r?\n/)) if (line.trim() && !line.startsWith('-----')) ctx.mask(line);
}
