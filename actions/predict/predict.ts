import path from 'node:path';
import actionYml from './action.yml';
import { inputs, type Inputs } from './inputs.js';
import { openEngine } from '../../shared/data/engine.js';
import { resolveData } from '../../shared/data/source.js';
import { openTable } from '../../shared/data/table.js';
import { resolveModelFile } from '../../shared/model/load.js';
import { outputFormat, predictTable, requireRows } from '../../shared/model/predict.js';
import { renderPredictions } from '../../shared/model/predict-report.js';
import { prepareModel } from '../../shared/model/score.js';
import { defineAction } from '../../shared/runtime/action.js';
import type { ActionResult, Context } from '../../shared/runtime/context.js';
import { displayPath } from '../../shared/runtime/files.js';

export async function predict(i: Inputs, ctx: Context): Promise<ActionResult> {
  const output = path.resolve(ctx.workspace, i.output);
  const format = outputFormat(i.output, i.format === 'auto' ? undefined : i.format);
  const model = await ctx.log.group(`Resolving the model ${i.model}`, () => resolveModelFile(i.model, ctx, 'model', { githubToken: i['github-token'] || ctx.env.GITHUB_TOKEN }));
  const display = model.manifest && !i.model.endsWith('.onnx') ? i.model : displayPath(ctx.workspace, model.file);
  const source = await resolveData(i.data, ctx.workspace);
  const engine = await openEngine({ log: ctx.log, tempDir: ctx.tempDir });
  try {
    const table = await openTable(engine, source);
    await requireRows(engine);
    const scoring = await prepareModel('', model.file, display, table.columns, null, ctx.log, { keys: i['key-columns'], features: i.features });
    const result = await ctx.log.group(`Scoring ${source.files.length} file(s) into ${displayPath(ctx.workspace, output)}`, () =>
      predictTable(engine, table, scoring, { keyColumns: i['key-columns'], batchSize: i['batch-size'], probabilities: i.probabilities, output, format, log: ctx.log, progress: ctx.log.progress?.bind(ctx.log) }),
    );
    const shown = displayPath(ctx.workspace, output);
    return {
      outputs: { output: shown, rows: String(result.rows), distribution: JSON.stringify(result.distribution) },
      summary: renderPredictions({ model: i.model, version: model.manifest?.version ?? null, output: shown, format, files: source.files.length, ...result }),
      annotations: [],
    };
  } finally {
    engine.close();
  }
}

export const action = defineAction({ id: 'predict', actionYml, inputs, run: predict });
