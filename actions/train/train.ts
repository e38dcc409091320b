import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { renderSummary } from './render.js';
import { digestFiles, digestOf, matchFiles, sha256Text } from '../../shared/lineage/digest.js';
import { gitInfo, reproducibleTime } from '../../shared/lineage/git.js';
import { MANIFEST_FILE, MANIFEST_SCHEMA_VERSION, type ModelManifest, parseManifest, PROFILE_FILE } from '../../shared/model/manifest.js';
import { parseProfile } from '../../shared/data/profile.js';
import { readMetrics, readParams } from '../../shared/model/metrics.js';
import { loadModel, onnxRuntimeVersion } from '../../shared/model/onnx.js';
import { readOnnxHeader } from '../../shared/model/onnx-proto.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { UserError } from '../../shared/runtime/errors.js';
import { displayPath, readUserFile, requireUserFile, sha256File, writeFileAtomic } from '../../shared/runtime/files.js';
import { runCommand } from '../../shared/runtime/process.js';
import { openStore } from '../../shared/store/open.js';
import { NAME, parseTarget } from '../../shared/store/reference.js';
import { checkAliases, type Published } from '../../shared/store/store.js';

/**
 * Bumped when what a cached entry holds changes shape or must not be reused (v2: manifests of v1
 * entries may hold a git remote's credentials, which a cache hit would publish again).
 */
const CACHE_FORMAT = 'mlops-train-v2';

export async function train(i: Inputs, ctx: Context): Promise<ActionResult> {
  const ws = ctx.workspace;
  const cwd = path.resolve(ws, i['working-directory']);
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) throw new UserError(`working directory not found: ${i['working-directory']}`, { where: { input: 'working-directory' } });
  const target = i.publish ? parseTarget(i.publish) : undefined;
  // A wrong profile fails before the training runs, not after.
  const profile = i.profile ? readProfileFile(path.resolve(cwd, i.profile), displayPath(ws, path.resolve(cwd, i.profile))) : undefined;
  checkAliases(i.tags, 'tags');
  const name = i.name ?? (target && 'name' in target ? target.name : path.basename(cwd).toLowerCase().replace(/[^a-z0-9._-]+/g, '-'));
  if (!NAME.test(name)) throw new UserError(`"${name}" is not a valid model name`, { where: { input: 'name' }, fix: 'lower-case letters, digits and . _ - (e.g. weather-classifier)' });
  const modelPath = path.resolve(cwd, i.model);
  const metricsPath = i.metrics ? path.resolve(cwd, i.metrics) : undefined;
  const manifestPath = path.join(path.dirname(modelPath), MANIFEST_FILE);

  // Lineage and the cache key: what the model is a function of.
  const lineage = await ctx.log.group('Digesting data, params and code', async () => {
    const data = await matchFiles(i.data, cwd);
    // Training on nothing because a glob matched nothing must not pass.
    const none = [...data.missing, ...data.unmatched];
    if (none.length) {
      throw new UserError(`data ${none.map((p) => JSON.stringify(p)).join(', ')} matched no file`, { where: { input: 'data' }, fix: `paths, globs and directories are relative to the working directory ${displayPath(ws, cwd) || '.'}` });
    }
    const dataFiles = await digestFiles(data.files, ws);
    const paramsPath = i.params ? path.resolve(cwd, i.params) : undefined;
    const params = paramsPath ? readParams(paramsPath, displayPath(ws, paramsPath)) : {};
    const paramsDigest = paramsPath ? `sha256:${await sha256File(paramsPath, { input: 'params' })}` : null;
    const outputs = [modelPath, metricsPath, manifestPath].filter((p): p is string => !!p).map((p) => displayPath(cwd, p));
    const code = await matchFiles(i.code, cwd, outputs);
    const codeFiles = await digestFiles(code.files, ws);
    const key = sha256Text(
      JSON.stringify({
        format: CACHE_FORMAT,
        data: dataFiles.length ? digestOf(dataFiles) : null,
        params: paramsDigest,
        code: codeFiles.length ? digestOf(codeFiles) : null,
        command: i.command,
        cwd: displayPath(ws, cwd),
        model: i.model,
        metrics: i.metrics ?? null,
        seed: i.seed,
      }),
    ).replace('sha256:', `${CACHE_FORMAT}-`);
    return { data: data.files, dataFiles, params, paramsPath, codeFiles, key };
  });

  const cached = [modelPath, ...(metricsPath ? [metricsPath] : []), manifestPath];
  let cacheHit = false;
  if (i.cache) cacheHit = await ctx.log.group('Looking for a cached model', () => ctx.cache.restore(lineage.key, cached));

  let manifest: ModelManifest;
  if (cacheHit) {
    manifest = parseManifest(JSON.parse(fs.readFileSync(manifestPath, 'utf8')), displayPath(ws, manifestPath));
    if (`sha256:${await sha256File(modelPath)}` !== manifest.model.digest) throw new Error('the cached model does not match its manifest');
    ctx.log.info(`Cache hit (${lineage.key}): trained by an earlier run in ${manifest.training.durationSeconds.toFixed(1)} s; the command did not run.`);
    await loadModel(modelPath, displayPath(ws, modelPath), ctx.log);
  } else {
    // Stale outputs of an earlier run must not pass for this run's.
    for (const f of [modelPath, metricsPath, manifestPath]) if (f) fs.rmSync(f, { force: true });
    const result = await ctx.log.group(`Training: ${i.command}`, () =>
      withDataFiles(lineage.data, ctx, (dataEnv) =>
        runCommand({
          command: i.command,
          cwd,
          log: ctx.log,
          timeoutMs: i['timeout-minutes'] * 60_000,
          env: {
            MLOPS_SEED: String(i.seed),
            PYTHONHASHSEED: String(i.seed),
            MLOPS_PARAMS: lineage.paramsPath ?? '',
            ...dataEnv,
            MLOPS_MODEL: modelPath,
            MLOPS_METRICS: metricsPath ?? '',
            MLOPS_OUTPUT_DIR: path.dirname(modelPath),
          },
        }),
      ),
    );
    if (result.timedOut || result.exitCode !== 0) {
      const why = result.timedOut ? `timed out after ${i['timeout-minutes']} minutes` : result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
      return {
        outputs: { 'cache-hit': 'false', 'cache-key': lineage.key },
        summary: renderSummary({ kind: 'failed', why, tail: result.tail, command: i.command }),
        annotations: [],
        failure: `the training command ${why}; nothing was published (the last lines of its output are in the job summary)`,
      };
    }
    if (!fs.existsSync(modelPath)) throw new UserError(`the command did not write the model ${displayPath(ws, modelPath)}`, { where: { input: 'model' }, fix: 'write the ONNX model there (MLOPS_MODEL holds the path), or set `model:` to where it is written' });
    requireUserFile(modelPath, { input: 'model', display: displayPath(ws, modelPath) });
    const metrics = metricsPath ? readMetrics(metricsPath, displayPath(ws, metricsPath)) : {};
    const loaded = await loadModel(modelPath, displayPath(ws, modelPath), ctx.log);
    const header = readOnnxHeader(modelPath);
    const git = gitInfo(ctx.env, ws);
    manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      kind: 'mlops/model-manifest',
      name,
      version: null,
      model: {
        file: path.basename(modelPath),
        digest: `sha256:${await sha256File(modelPath)}`,
        size: fs.statSync(modelPath).size,
        format: 'onnx',
        irVersion: header.irVersion,
        opset: header.opset,
        producer: header.producer ? `${header.producer}${header.producerVersion ? ` ${header.producerVersion}` : ''}` : null,
      },
      signature: loaded.signature,
      metrics,
      params: lineage.params,
      data: { digest: lineage.dataFiles.length ? digestOf(lineage.dataFiles) : null, files: lineage.dataFiles },
      code: { digest: lineage.codeFiles.length ? digestOf(lineage.codeFiles) : sha256Text(''), patterns: i.code, files: lineage.codeFiles.length },
      git,
      training: {
        command: i.command,
        workingDirectory: displayPath(ws, cwd),
        seed: i.seed,
        durationSeconds: Math.round(result.durationMs) / 1000,
        cacheKey: lineage.key,
        tools: { node: process.versions.node, onnxruntime: await onnxRuntimeVersion() },
      },
      created: reproducibleTime(ctx.env, ws),
    };
    writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    if (i.cache) await ctx.log.group('Saving to the cache', () => ctx.cache.save(lineage.key, cached));
  }

  // The reference profile travels with the model (drift-check's reference, the server's bins):
  // named in the manifest by digest, copied beside the model, stored with it.
  const profilePath = path.join(path.dirname(modelPath), PROFILE_FILE);
  const { profile: _stale, ...withoutProfile } = manifest;
  manifest = withoutProfile;
  if (profile) {
    if (path.resolve(cwd, i.profile!) !== profilePath) writeFileAtomic(profilePath, profile.bytes);
    manifest = { ...manifest, profile: profile.entry };
    writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  } else fs.rmSync(profilePath, { force: true });

  let published: Published | undefined;
  if (target) {
    published = await ctx.log.group(`Publishing to ${i.publish}`, () =>
      openStore(target, ctx, { githubToken: i['github-token'] }).publish({ manifest, modelFile: modelPath, ...(manifest.profile ? { profileFile: profilePath } : {}), aliases: i.tags }),
    );
    // The manifest beside the model names the version it was published as; the cached copy and
    // the cache key stay version-free (the same model may be published again elsewhere).
    manifest = { ...manifest, version: published.version };
    writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  }
  return {
    outputs: {
      model: displayPath(ws, modelPath),
      'model-digest': manifest.model.digest,
      manifest: displayPath(ws, manifestPath),
      metrics: JSON.stringify(manifest.metrics),
      version: published?.version ?? '',
      reference: published?.reference ?? '',
      'cache-hit': String(cacheHit),
      'cache-key': lineage.key,
    },
    summary: renderSummary({ kind: 'trained', manifest, cacheHit, published, aliases: i.tags }),
    annotations: [],
  };
}

/** The profile validate-data wrote, checked, and its entry in the manifest. */
function readProfileFile(file: string, shown: string): { bytes: Buffer; entry: NonNullable<ModelManifest['profile']> } {
  const bytes = readUserFile(file, { input: 'profile', display: shown });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UserError(`not JSON: ${(e as Error).message}`, { where: { file: shown, input: 'profile' }, fix: 'give the profile.json validate-data wrote (its `profile` output)' });
  }
  parseProfile(json, shown);
  return { bytes, entry: { file: PROFILE_FILE, digest: `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length } };
}

/**
 * The data files reach the command as MLOPS_DATA_FILES, the path of a JSON array of absolute
 * paths (safe for any file name), and, when no name holds a newline, as MLOPS_DATA, one path per
 * line. A name with a newline would split in MLOPS_DATA, so MLOPS_DATA is then unset, not wrong.
 */
async function withDataFiles<T>(files: string[], ctx: Context, fn: (env: Record<string, string | undefined>) => Promise<T>): Promise<T> {
  fs.mkdirSync(ctx.tempDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(ctx.tempDir, 'mlops-train-'));
  try {
    const list = path.join(dir, 'data-files.json');
    fs.writeFileSync(list, `${JSON.stringify(files)}\n`);
    const unsafe = files.some((f) => /[\r\n]/.test(f));
    if (unsafe) ctx.log.warn('a data file name holds a line break: MLOPS_DATA is unset; read the list from MLOPS_DATA_FILES (a JSON array of paths)');
    return await fn({ MLOPS_DATA_FILES: list, MLOPS_DATA: unsafe ? undefined : files.join('\n') });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const action = defineAction({ id: 'train', actionYml, inputs, run: train });
