import { UserError } from '../runtime/errors.js';
import { firstBadJsonRecord } from './json-records.js';
import type { DataSource } from './source.js';

/** DuckDB's errors about the user's files -> UserError with file and line where we can find them. */
export async function asUserError(e: unknown, source: DataSource): Promise<unknown> {
  if (!(e instanceof Error) || e instanceof UserError) return e;
  const msg = e.message;
  const inFile = /file "([^"]+)"|file '([^']+)'/.exec(msg);
  const abs = inFile?.[1] ?? inFile?.[2];
  const file = source.files.find((f) => f.absolute === abs);
  if (/Malformed JSON|JSON transform error/.test(msg) && file) {
    const bad = /Malformed JSON/.test(msg) ? await firstBadJsonRecord(file) : undefined;
    const line = /in line (\d+)/.exec(msg)?.[1];
    const said = msg.split('\n')[0]!.replace(/^.*?(in line \d+|in record\/value \d+|at byte \d+[^:]*): /, '');
    return new UserError(`malformed JSON: ${bad?.error ?? said}`, {
      where: { file: file.path, line: bad?.line ?? (line ? Number(line) : undefined) },
      fix: 'JSON data is an array of objects, or one object per line (JSON Lines); fix the record at this line',
    });
  }
  if (/No magic bytes|Invalid Input Error.*parquet|not a parquet file/i.test(msg)) {
    return new UserError(`not a valid Parquet file: ${msg.split('\n')[0]}`, { where: { file: file?.path ?? abs }, fix: 'check the file is complete and really Parquet' });
  }
  if (/Conversion Error|Invalid Input Error|Could not convert/i.test(msg)) {
    return new UserError(msg.split('\n')[0]!.replace(/^[A-Za-z ]+Error: /, ''), { where: { file: file?.path ?? source.files[0]?.path } });
  }
  return e;
}
