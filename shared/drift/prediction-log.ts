/**
 * `current` from the model server's prediction log (JSON Lines, docs/serving.md): each line's
 * `inputs` become the columns and its predicted class or value the column `prediction`, then
 * profiled exactly as data files are (the same fixed edges, the same value counts).
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import zlib from 'node:zlib';
import { z } from 'zod';
import type { Profile } from '../data/profile.js';
import { digestData, resolveData } from '../data/source.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { profileData } from './data.js';

/** The column a log line's predicted class (classification) or value (regression) is compared under. */
export const PREDICTION_COLUMN = 'prediction';

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const recordSchema = z.object({
  inputs: z.record(z.string(), scalar),
  outputs: z.object({ label: z.string().optional(), value: z.number().nullable().optional() }).passthrough(),
});

/** One log line as a data row: the features and `prediction`. */
function rowOf(line: string, where: { file: string; line: number }): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (e) {
    throw new UserError(`not JSON: ${(e as Error).message}`, { where, fix: 'give the prediction log the model server writes (PREDICTION_LOG, docs/serving.md): one JSON object per line' });
  }
  const r = recordSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UserError(`not a prediction log line: ${issue.path.join('.') || '(top level)'}: ${issue.message}`, { where, fix: 'each line needs `inputs` (feature -> value) and `outputs` as the model server writes them (docs/serving.md)' });
  }
  const { inputs, outputs } = r.data;
  if (PREDICTION_COLUMN in inputs) throw new UserError(`a feature is named '${PREDICTION_COLUMN}', the column the predictions are compared under`, { where, fix: 'rename the model input' });
  return { ...inputs, [PREDICTION_COLUMN]: outputs.label ?? outputs.value ?? null };
}

/** The log files (file, glob, directory) as one profile; its source names the log files. */
export async function profilePredictionLog(spec: string, input: string, ctx: Context): Promise<Profile> {
  const source = await resolveData(spec, ctx.workspace, input);
  if (source.format !== 'json') throw new UserError(`a prediction log is JSON Lines, not ${source.format}`, { where: { input }, fix: 'point it at the .jsonl files the model server wrote (PREDICTION_LOG)' });
  fs.mkdirSync(ctx.tempDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(ctx.tempDir, 'mlops-prediction-log-'));
  try {
    const rows = path.join(dir, 'rows.jsonl');
    const out = fs.createWriteStream(rows);
    let n = 0;
    for (const f of source.files) {
      const raw = fs.createReadStream(f.absolute);
      const lines = readline.createInterface({ input: f.absolute.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw, crlfDelay: Infinity });
      let line = 0;
      for await (const text of lines) {
        line++;
        if (!text.trim()) continue;
        if (!out.write(`${JSON.stringify(rowOf(text, { file: f.path, line }))}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
        n++;
      }
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    if (n === 0) throw new UserError(`${spec}: the prediction log holds no line`, { where: { input }, fix: 'check the server logs predictions (PREDICTION_LOG, PREDICTION_LOG_SAMPLE > 0) and the window the files cover' });
    const profile = await profileData(rows, input, ctx);
    const digest = await digestData(source);
    return { ...profile, source: { format: 'json', digest: digest.digest, files: digest.files } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
