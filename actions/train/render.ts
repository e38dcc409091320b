import type { ModelManifest } from '../../shared/model/manifest.js';
import { code, details, join, md, preformatted, table } from '../../shared/report/markdown.js';
import type { Published } from '../../shared/store/store.js';

export type TrainReport =
  | { kind: 'failed'; why: string; tail: string[]; command: string }
  | { kind: 'trained'; manifest: ModelManifest; cacheHit: boolean; published?: Published; aliases: string[] };

export function renderSummary(r: TrainReport): string {
  if (r.kind === 'failed') {
    return join([md`### ❌ train: the command ${r.why}`, md`Command: ${code(r.command)}. Nothing was published.`, details(`Last ${r.tail.length} lines of output`, preformatted(r.tail))]).text;
  }
  const m = r.manifest;
  const how = r.cacheHit ? md`restored from the cache (trained earlier in ${m.training.durationSeconds} s; the command did not run)` : md`trained in ${m.training.durationSeconds} s`;
  const where = r.published
    ? r.published.created
      ? md`Published as ${code(r.published.reference)}${r.aliases.length ? md` (aliases: ${r.aliases.join(', ')})` : md``}.`
      : md`Already published as ${code(r.published.reference)} (same model): nothing new was created${r.aliases.length ? md`; aliases moved: ${r.aliases.join(', ')}` : md``}.`
    : md`Not published.`;
  const metrics = Object.entries(m.metrics);
  return join([
    md`### ✅ train: ${m.name} ${how}`,
    md`Model ${code(m.model.file)} ${code(m.model.digest.slice(0, 19))} (${m.model.size} bytes, ONNX IR ${m.model.irVersion ?? '?'}, opset ${m.model.opset.map((o) => `${o.domain} ${o.version}`).join(', ')}). ${where}`,
    metrics.length ? table(['Metric', 'Value'], metrics.map(([k, v]) => [code(k), v]), ['l', 'r']) : md`No metrics.`,
    details(
      'Signature',
      table(['', 'Name', 'Type', 'Shape'], [...m.signature.inputs.map((s) => ['input', code(s.name), s.type, `[${s.shape.join(', ')}]`]), ...m.signature.outputs.map((s) => ['output', code(s.name), s.type, `[${s.shape.join(', ')}]`])]),
    ),
    details(
      'Lineage',
      table(
        ['', ''],
        [
          ['data', m.data.digest ? md`${code(m.data.digest.slice(0, 19))} (${m.data.files.length} files)` : 'none'],
          ['code', md`${code(m.code.digest.slice(0, 19))} (${m.code.files} files)`],
          ['params', Object.keys(m.params).length ? code(JSON.stringify(m.params)) : 'none'],
          ['git', `${m.git.repository ?? '?'} ${m.git.sha?.slice(0, 12) ?? ''} ${m.git.ref ?? ''}`],
          ['command', code(m.training.command)],
          ['seed', m.training.seed],
          ['cache key', code(m.training.cacheKey)],
          ['tools', Object.entries(m.training.tools).map(([k, v]) => `${k} ${v}`).join(', ')],
          ['created', m.created ?? 'unknown (no SOURCE_DATE_EPOCH or git commit)'],
        ],
      ),
    ),
  ]).text;
}
