import fs from 'node:fs';
import path from 'node:path';
import { explainGitHubError, type GitHubRepo } from '../github/client.js';
import { retryPolicy } from '../http/retry.js';
import { bodyStream, httpTransport, redirectTransport, retryTransport } from '../http/transport.js';
import { MANIFEST_FILE, type ModelManifest, parseManifest, PROFILE_FILE } from '../model/manifest.js';
import { code, join, md, table } from '../report/markdown.js';
import type { Logger } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { sha256File, writeFileAtomic, writeStreamHashed } from '../runtime/files.js';
import { checkAliases, corruptStore, isVersion, type ModelStore, nextVersion, type Published, type PublishRequest, profileBytes, type ResolvedModel, sameModel } from './store.js';

interface Release {
  id: number;
  tag_name: string;
  draft: boolean;
  body?: string | null;
  upload_url: string;
  assets: { id: number; name: string; size: number; digest?: string | null }[];
}

/** The project's one HTTP stack (shared with the registry client): retries, manual redirects, streamed bodies. */
const http = retryTransport(redirectTransport(httpTransport({ userAgent: 'mlops-actions-release-store/1' })), retryPolicy());

/** Hidden in each release body: what `sameModel` compares, so re-runs need no downloads. */
const MARKER = /<!-- mlops:model (\{[^\n]*?\}) -->/;
const ALIASES = /<!-- mlops:aliases (\{[^\n]*?\}) -->/;

/**
 * GitHub Releases as a model store: one release per version (tag `<name>-v<N>`) holding the
 * model and its manifest as assets, plus a `<name>-aliases` release whose body maps aliases to
 * versions. A version is claimed by creating its tag (atomic on GitHub: a second claim gets
 * 422), then filled as a draft and published only once every asset is up and verified.
 */
export class ReleaseStore implements ModelStore {
  constructor(
    private r: GitHubRepo,
    readonly name: string,
    private cacheDir: string,
    private commit: string | null,
    private log: Logger,
  ) {}

  private tag(version: string): string {
    return `${this.name}-v${version}`;
  }

  private ref(tag: string): string {
    return `release:${this.name}@${tag}`;
  }

  private async call<T>(doing: string, permission: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw explainGitHubError(e, doing, permission);
    }
  }

  private async releases(): Promise<Release[]> {
    const { gh, owner, repo } = this.r;
    const all = (await this.call('list releases', 'contents: read', () => gh.paginate(gh.rest.repos.listReleases, { owner, repo, per_page: 100 }))) as Release[];
    const pattern = new RegExp(`^${this.name.replace(/[.]/g, '\\.')}-v([1-9][0-9]*)$`);
    return all.filter((rel) => pattern.test(rel.tag_name));
  }

  async versions(): Promise<string[]> {
    return (await this.releases())
      .filter((rel) => !rel.draft)
      .map((rel) => rel.tag_name.slice(this.name.length + 2))
      .sort((a, b) => Number(a) - Number(b));
  }

  async publish(req: PublishRequest): Promise<Published> {
    checkAliases(req.aliases);
    const { gh, owner, repo } = this.r;
    const releases = await this.releases();
    const same = releases.find((rel) => {
      const m = MARKER.exec(rel.body ?? '');
      return !rel.draft && m && sameModel(JSON.parse(m[1]!) as ModelManifest, req.manifest);
    });
    if (same) {
      const version = same.tag_name.slice(this.name.length + 2);
      for (const alias of req.aliases) await this.setAlias(alias, version);
      return { version, reference: this.ref(version), digest: req.manifest.model.digest, created: false };
    }
    const sha = this.commit ?? (await this.defaultBranchHead());
    // Claim a version by creating its tag; a concurrent run that took it makes us try the next.
    let version = nextVersion(releases.map((rel) => rel.tag_name.slice(this.name.length + 2)));
    for (let attempt = 0; ; attempt++) {
      try {
        await gh.rest.git.createRef({ owner, repo, ref: `refs/tags/${this.tag(version)}`, sha });
        break;
      } catch (e) {
        if ((e as { status?: number }).status !== 422 || attempt >= 20) throw explainGitHubError(e, `create the tag ${this.tag(version)}`, 'contents: write');
        this.log.info(`version ${version} was taken by another run; trying ${Number(version) + 1}`);
        version = String(Number(version) + 1);
      }
    }
    const manifest = { ...req.manifest, version };
    const created = await this.call('create a release', 'contents: write', () =>
      gh.rest.repos.createRelease({ owner, repo, tag_name: this.tag(version), target_commitish: sha, name: `${this.name} v${version}`, body: this.body(manifest), draft: true, make_latest: 'false' }),
    );
    const release = created.data as Release;
    try {
      const manifestFile = path.join(this.cacheDir, `.publish-${process.pid}-${MANIFEST_FILE}`);
      writeFileAtomic(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
      try {
        await this.upload(release, req.modelFile, manifest.model.file, 'application/octet-stream', manifest.model.digest);
        await this.upload(release, manifestFile, MANIFEST_FILE, 'application/json');
        if (manifest.profile) {
          profileBytes(req);
          await this.upload(release, req.profileFile!, PROFILE_FILE, 'application/json', manifest.profile.digest);
        }
      } finally {
        fs.rmSync(manifestFile, { force: true });
      }
      await this.call('publish the release', 'contents: write', () => gh.rest.repos.updateRelease({ owner, repo, release_id: release.id, draft: false, make_latest: 'false' }));
    } catch (e) {
      // Nothing partial stays: the draft and the claimed tag go.
      await gh.rest.repos.deleteRelease({ owner, repo, release_id: release.id }).catch(() => undefined);
      await gh.rest.git.deleteRef({ owner, repo, ref: `tags/${this.tag(version)}` }).catch(() => undefined);
      throw e;
    }
    for (const alias of req.aliases) await this.setAlias(alias, version);
    return { version, reference: this.ref(version), digest: manifest.model.digest, created: true };
  }

  private body(m: ModelManifest): string {
    const metrics = Object.entries(m.metrics);
    const marker = JSON.stringify({ name: m.name, model: { digest: m.model.digest }, training: { cacheKey: m.training.cacheKey }, ...(m.profile ? { profile: { digest: m.profile.digest } } : {}) });
    return join([
      md`Model ${code(m.name)} version ${m.version ?? ''}: ${code(m.model.file)} ${code(m.model.digest)}, published by mlops train.`,
      metrics.length ? table(['Metric', 'Value'], metrics.map(([k, v]) => [code(k), v]), ['l', 'r']) : null,
      md`Commit ${m.git.sha ?? 'unknown'}; data ${m.data.digest ?? 'none'}; command ${code(m.training.command)}.`,
    ]).text + `\n\n<!-- mlops:model ${marker} -->\n`;
  }

  private async defaultBranchHead(): Promise<string> {
    const { gh, owner, repo } = this.r;
    const info = await this.call('read the repository', 'contents: read', () => gh.rest.repos.get({ owner, repo }));
    const ref = await this.call('read the default branch', 'contents: read', () => gh.rest.git.getRef({ owner, repo, ref: `heads/${info.data.default_branch}` }));
    return ref.data.object.sha;
  }

  /**
   * Streamed upload to the release's upload URL (the file is piped, never held in memory), one
   * attempt: a failure deletes the draft. sha256 checked when GitHub reports it.
   */
  private async upload(release: Release, file: string, name: string, contentType: string, digest?: string): Promise<void> {
    const url = new URL(release.upload_url.replace(/\{[^}]*\}$/, ''));
    url.searchParams.set('name', name);
    const size = fs.statSync(file).size;
    const res = await http({
      method: 'POST',
      url,
      headers: { authorization: `token ${this.r.token}`, 'content-type': contentType, 'content-length': String(size), accept: 'application/vnd.github+json' },
      body: () => fs.createReadStream(file),
      retry: false,
    });
    const text = await res.text();
    if (!res.ok) throw explainGitHubError(Object.assign(new Error(`upload of ${name} failed: HTTP ${res.status} ${text.slice(0, 300)}`), { status: res.status }), `upload ${name}`, 'contents: write');
    const asset = JSON.parse(text) as { size: number; digest?: string | null };
    if (asset.size !== size) throw new Error(`upload of ${name}: GitHub stored ${asset.size} bytes, sent ${size}`);
    if (digest && asset.digest && asset.digest !== digest) throw new Error(`upload of ${name}: GitHub reports ${asset.digest}, expected ${digest}`);
  }

  private async aliasesRelease(): Promise<{ release?: Release; aliases: Record<string, string> }> {
    const { gh, owner, repo } = this.r;
    try {
      const { data } = await gh.rest.repos.getReleaseByTag({ owner, repo, tag: `${this.name}-aliases` });
      const m = ALIASES.exec(data.body ?? '');
      return { release: data as Release, aliases: m ? (JSON.parse(m[1]!) as Record<string, string>) : {} };
    } catch (e) {
      if ((e as { status?: number }).status === 404) return { aliases: {} };
      throw explainGitHubError(e, 'read the aliases release', 'contents: read');
    }
  }

  async setAlias(alias: string, version: string): Promise<void> {
    checkAliases([alias]);
    const { gh, owner, repo } = this.r;
    // Concurrent publishes may all find no aliases release: one creates it, the others (422) update it.
    for (let attempt = 0; ; attempt++) {
      const { release, aliases } = await this.aliasesRelease();
      aliases[alias] = version;
      const sorted = Object.fromEntries(Object.entries(aliases).sort(([a], [b]) => (a < b ? -1 : 1)));
      const body =
        join([md`Aliases of the model ${code(this.name)} (moved by mlops):`, table(['Alias', 'Version'], Object.entries(sorted).map(([a, v]) => [code(a), code(this.tag(v))]))]).text +
        `\n\n<!-- mlops:aliases ${JSON.stringify(sorted)} -->\n`;
      if (release) {
        await this.call('update the aliases release', 'contents: write', () => gh.rest.repos.updateRelease({ owner, repo, release_id: release.id, body, make_latest: 'false' }));
        return;
      }
      const sha = this.commit ?? (await this.defaultBranchHead());
      try {
        await gh.rest.repos.createRelease({ owner, repo, tag_name: `${this.name}-aliases`, target_commitish: sha, name: `${this.name} aliases`, body, prerelease: true, make_latest: 'false' });
        return;
      } catch (e) {
        if ((e as { status?: number }).status !== 422 || attempt >= 3) throw explainGitHubError(e, 'create the aliases release', 'contents: write');
      }
    }
  }

  async resolve(tag: string): Promise<ResolvedModel> {
    const { gh, owner, repo } = this.r;
    let version = tag;
    if (!isVersion(tag)) {
      const { aliases } = await this.aliasesRelease();
      const v = aliases[tag];
      if (!v) throw new UserError(`${this.ref(tag)} not found`, { fix: `aliases of ${this.name}: ${Object.keys(aliases).join(', ') || 'none'}` });
      version = v;
    }
    let release: Release;
    try {
      release = (await gh.rest.repos.getReleaseByTag({ owner, repo, tag: this.tag(version) })).data as Release;
    } catch (e) {
      if ((e as { status?: number }).status === 404) throw new UserError(`${this.ref(tag)} not found (no release ${this.tag(version)} in ${owner}/${repo})`, { fix: `published versions: ${(await this.versions()).join(', ') || 'none'}` });
      throw explainGitHubError(e, `read the release ${this.tag(version)}`, 'contents: read');
    }
    const manifestAsset = release.assets.find((a) => a.name === MANIFEST_FILE);
    if (!manifestAsset) throw corruptStore(`${this.ref(tag)}: the release has no ${MANIFEST_FILE}`);
    fs.mkdirSync(this.cacheDir, { recursive: true });
    const manifestPath = path.join(this.cacheDir, `${release.tag_name}-${MANIFEST_FILE}`);
    await this.download(manifestAsset.id, manifestPath, manifestAsset.digest ?? undefined);
    const manifest = parseManifest(JSON.parse(fs.readFileSync(manifestPath, 'utf8')), this.ref(tag));
    if (manifest.version !== version) throw corruptStore(`${this.ref(version)}: the release holds the model published as version ${manifest.version ?? 'none'}`);
    const modelAsset = release.assets.find((a) => a.name === manifest.model.file);
    if (!modelAsset) throw corruptStore(`${this.ref(tag)}: the release has no ${manifest.model.file}`);
    const modelPath = path.join(this.cacheDir, manifest.model.digest.slice(7), manifest.model.file);
    if (!fs.existsSync(modelPath) || `sha256:${await sha256File(modelPath)}` !== manifest.model.digest) await this.download(modelAsset.id, modelPath, manifest.model.digest);
    let profilePath: string | null = null;
    if (manifest.profile) {
      const profileAsset = release.assets.find((a) => a.name === PROFILE_FILE);
      if (!profileAsset) throw corruptStore(`${this.ref(tag)}: the release has no ${PROFILE_FILE}`);
      profilePath = path.join(this.cacheDir, manifest.profile.digest.slice(7), PROFILE_FILE);
      if (!fs.existsSync(profilePath) || `sha256:${await sha256File(profilePath)}` !== manifest.profile.digest) await this.download(profileAsset.id, profilePath, manifest.profile.digest);
    }
    return { reference: this.ref(version), version, modelPath, manifest, profilePath };
  }

  /** Asset bytes: the API answers with a redirect to storage, followed without our token. */
  private async download(assetId: number, file: string, digest?: string): Promise<void> {
    const { apiUrl, owner, repo, token } = this.r;
    // The redirect layer drops the token when the redirect leaves the API's origin.
    const res = await http({ method: 'GET', url: new URL(`${apiUrl}/repos/${owner}/${repo}/releases/assets/${assetId}`), headers: { authorization: `token ${token}`, accept: 'application/octet-stream' } });
    if (!res.ok || !res.body) throw explainGitHubError(Object.assign(new Error(`asset download failed: HTTP ${res.status}`), { status: res.status }), 'download a release asset', 'contents: read');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.download`;
    try {
      const actual = `sha256:${(await writeStreamHashed(bodyStream(res), tmp)).hash}`;
      if (digest && actual !== digest) throw corruptStore(`a downloaded release asset has digest ${actual}, expected ${digest}: refusing it`);
      fs.renameSync(tmp, file);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}
