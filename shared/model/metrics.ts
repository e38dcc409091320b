import fs from 'node:fs';
import YAML from 'yaml';
import { UserError } from '../runtime/errors.js';
import { readUserText } from '../runtime/files.js';

/** Nested metrics -> dotted names: {"f1": {"macro": 0.8}} -> {"f1.macro": 0.8}. Only numbers. */
export function flattenMetrics(value: unknown, file: string, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UserError(`metrics must be a JSON object of numbers${prefix ? ` (at "${prefix}")` : ''}`, { where: { file }, fix: 'write e.g. {"accuracy": 0.91, "f1": {"macro": 0.88}}' });
  }
  for (const [k, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out[name] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenMetrics(v, file, name));
    else {
      throw new UserError(`metric "${name}" is ${Array.isArray(v) ? 'an array' : JSON.stringify(v)}, not a finite number`, {
        where: { file },
        fix: 'metrics are numbers; nest objects for groups (per class, per slice); put other data in another file',
      });
    }
  }
  return out;
}

/** Read and flatten a metrics JSON file; invalid JSON points at its line and column. */
export function readMetrics(file: string, display: string): Record<string, number> {
  if (!fs.existsSync(file)) throw new UserError(`the command did not write the metrics file ${display}`, { where: { input: 'metrics' }, fix: 'write metrics there (MLOPS_METRICS holds the path), or set metrics: "" if there are none' });
  const text = readUserText(file, { display, input: 'metrics' });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec((e as Error).message);
    const offset = pos ? Number(pos[1]) : undefined;
    const before = offset !== undefined ? text.slice(0, offset) : '';
    const line = offset !== undefined ? before.split('\n').length : undefined;
    const column = offset !== undefined ? offset - before.lastIndexOf('\n') : undefined;
    throw new UserError(`metrics are not valid JSON: ${(e as Error).message}`, { where: { file: display, line, column }, fix: 'write the metrics with json.dump / JSON.stringify' });
  }
  return flattenMetrics(json, display);
}

/** A params file (YAML or JSON) as an object; errors point at the line. */
export function readParams(file: string, display: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new UserError(`params file not found: ${display}`, { where: { input: 'params' } });
  const doc = YAML.parseDocument(readUserText(file, { display, input: 'params' }), { prettyErrors: false });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    throw new UserError(`params are not valid YAML/JSON: ${err.message.split('\n')[0]}`, { where: { file: display, line: err.linePos?.[0].line, column: err.linePos?.[0].col } });
  }
  const value: unknown = doc.toJS();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UserError('params must be a mapping of names to values', { where: { file: display } });
  return value as Record<string, unknown>;
}
