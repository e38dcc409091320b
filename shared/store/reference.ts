import { withoutCredentials } from '../lineage/url.js';
import { UserError } from '../runtime/errors.js';

/**
 * Where a model is: `path/to/model.onnx` | `local:<name>@<version|alias>` |
 * `oci://<registry>/<repo>:<tag>` or `@<digest>` | `release:<name>@<version|alias>`.
 */
export type ModelReference =
  | { kind: 'path'; path: string }
  | { kind: 'local'; name: string; tag: string }
  | { kind: 'oci'; registry: string; repository: string; tag?: string; digest?: string }
  | { kind: 'release'; name: string; tag: string };

/** Where to publish: the same schemes without a version (the store allocates it). */
export type StoreTarget = { kind: 'local'; name: string; root?: string } | { kind: 'oci'; registry: string; repository: string } | { kind: 'release'; name: string };

export const NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** The OCI distribution spec's tag grammar: every store holds versions and aliases as such tags. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

function bad(ref: string, input: string, why: string): UserError {
  return new UserError(`"${withoutCredentials(ref)}" is not a model reference: ${why}`, {
    where: { input },
    fix: 'use a path, local:<name>@<version|alias>, oci://<registry>/<repository>:<tag> (or @sha256:...), or release:<name>@<version|alias>',
  });
}

export function parseReference(ref: string, input = 'model'): ModelReference {
  const s = ref.trim();
  const at = (rest: string, scheme: string): { name: string; tag: string } => {
    const [name, tag = 'latest', ...more] = rest.split('@');
    if (more.length) throw bad(ref, input, 'more than one @');
    if (!NAME.test(name!)) throw bad(ref, input, `model name "${name}" must be lower-case letters, digits and . _ - (${scheme})`);
    if (!TAG.test(tag)) throw bad(ref, input, `"${tag}" is not a valid version or alias`);
    return { name: name!, tag };
  };
  if (s.startsWith('local:')) return { kind: 'local', ...at(s.slice(6), 'local') };
  if (s.startsWith('release:')) return { kind: 'release', ...at(s.slice(8), 'release') };
  if (s.startsWith('oci://')) {
    const rest = s.slice(6);
    const slash = rest.indexOf('/');
    if (slash <= 0) throw bad(ref, input, 'missing repository after the registry');
    const registry = rest.slice(0, slash);
    // Credentials in a reference would be recorded with it (outputs, reports, logs).
    if (registry.includes('@')) throw bad(ref, input, 'it holds credentials (user:password@); give them as the registry username/password inputs or MLOPS_REGISTRY_USERNAME/MLOPS_REGISTRY_PASSWORD');
    let repo = rest.slice(slash + 1);
    let digest: string | undefined;
    let tag: string | undefined;
    const d = repo.indexOf('@');
    if (d >= 0) {
      digest = repo.slice(d + 1);
      repo = repo.slice(0, d);
      if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw bad(ref, input, `"${digest}" is not a sha256 digest`);
    } else {
      const c = repo.lastIndexOf(':');
      if (c >= 0) {
        tag = repo.slice(c + 1);
        repo = repo.slice(0, c);
        if (!TAG.test(tag)) throw bad(ref, input, `"${tag}" is not a valid tag`);
      }
    }
    if (!repo.split('/').every((p) => NAME.test(p))) throw bad(ref, input, `"${repo}" is not a valid repository name`);
    return { kind: 'oci', registry, repository: repo, tag: tag ?? (digest ? undefined : 'latest'), digest };
  }
  if (/^[a-z]+:\/\//.test(s) || /^[a-z]+:[^\\/]/.test(s)) throw bad(ref, input, 'unknown scheme');
  return { kind: 'path', path: s };
}

/** A publish target: `local:<name>`, `oci://<registry>/<repository>` or `release:<name>`. */
export function parseTarget(target: string, input = 'publish'): StoreTarget {
  const s = target.trim();
  const fix = 'use local:<name>, oci://<registry>/<repository> or release:<name> (no version: the store allocates the next one)';
  if (/^oci:\/\/[^/]*@/.test(s)) parseReference(s, input); // refuses the credentials, without repeating them
  if (s.includes('@') || /^oci:\/\/[^/]+\/.*:[^/]*$/.test(s)) throw new UserError(`"${s}": a publish target names no version`, { where: { input }, fix });
  if (s.startsWith('local:') && NAME.test(s.slice(6))) return { kind: 'local', name: s.slice(6) };
  if (s.startsWith('release:') && NAME.test(s.slice(8))) return { kind: 'release', name: s.slice(8) };
  if (s.startsWith('oci://')) {
    const r = parseReference(`${s}:latest`, input);
    if (r.kind === 'oci') return { kind: 'oci', registry: r.registry, repository: r.repository };
  }
  throw new UserError(`"${s}" is not a publish target`, { where: { input }, fix });
}
