import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { loadReference } from '../../shared/drift/reference.js';
import { code, join, md } from '../../shared/report/markdown.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { displayPath, writeFileAtomic } from '../../shared/runtime/files.js';

export async function mergeShardProfiles(i: Inputs, ctx: Context): Promise<ActionResult> {
  const merged = loadReference(i.profiles, ctx.workspace, 'profiles');
  const file = path.resolve(ctx.workspace, i.output);
  writeFileAtomic(file, `${JSON.stringify(merged.profile, null, 2)}\n`, { input: 'output' });
  const shown = displayPath(ctx.workspace, file);
  const estimated = merged.profile.columns.filter((c) => !c.distinct.exact).map((c) => c.name);
  const summary = join([
    md`### Merged ${merged.files.length} shard profile(s) into ${code(shown)}`,
    md`${merged.profile.rows} rows, ${merged.profile.columns.length} columns, from ${merged.profile.source.files.length} data file(s); shards: ${merged.files.join(', ')}.`,
    md`Counts, nulls, min/max, moments, the fixed-edge histograms, the datetime timelines and complete value counts are those of the whole dataset${estimated.length ? md`; the distinct counts of ${estimated.join(', ')} are HyperLogLog estimates of the union` : md``}.`,
  ]);
  ctx.log.info(`Merged ${merged.files.length} shard profile(s): ${merged.profile.rows} rows -> ${shown}`);
  return {
    outputs: { profile: shown, rows: String(merged.profile.rows), shards: String(merged.files.length) },
    summary: summary.text,
    annotations: [],
  };
}

export const action = defineAction({ id: 'merge-profiles', actionYml, inputs, run: mergeShardProfiles });
