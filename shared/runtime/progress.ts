/**
 * Progress of a long step (a scan, scoring, an upload), reported by the domain code with one
 * call per batch: `ctx.log.progress?.('Scoring', rowsDone, rowsTotal, 'rows')`; the last call has
 * done === total. A terminal gets one line rewritten in place; a log (a runner, a pipe) gets a
 * line at most every `everyMs` and a last one, so short steps print nothing extra.
 */
export type ReportProgress = (step: string, done: number, total?: number, unit?: string) => void;
// unit '%': done is a percentage (total 100), shown without counts.

export interface ProgressOptions {
  /** Rewrite one line in place (stderr is a terminal). */
  live: boolean;
  everyMs?: number;
  now?: () => number;
}

const number = (n: number) => n.toLocaleString('en-US');
const mib = (n: number) => (n / 2 ** 20).toFixed(1);

export function describeProgress(step: string, done: number, total?: number, unit = ''): string {
  const u = unit ? ` ${unit}` : '';
  if (total === undefined || total <= 0) return `${step}: ${number(done)}${u}`;
  const pct = Math.min(100, Math.floor((100 * done) / total));
  if (unit === '%') return `${step}: ${pct}%`;
  if (unit === 'bytes') return `${step}: ${pct}% (${mib(done)} of ${mib(total)} MiB)`;
  return `${step}: ${pct}% (${number(done)} of ${number(total)}${u})`;
}

export function progressReporter(write: (text: string) => void, opts: ProgressOptions): ReportProgress {
  const now = opts.now ?? Date.now;
  const every = opts.everyMs ?? (opts.live ? 200 : 10_000);
  const steps = new Map<string, { started: number; last: number; printed: boolean }>();
  return (step, done, total, unit) => {
    const t = now();
    let s = steps.get(step);
    if (!s) steps.set(step, (s = { started: t, last: t, printed: false }));
    const finished = total !== undefined && done >= total;
    if (finished) steps.delete(step);
    if (opts.live) {
      if (finished ? s.printed : t - s.last >= every) {
        write(`\r${describeProgress(step, done, total, unit)}\x1b[K${finished ? '\n' : ''}`);
        s.last = t;
        s.printed = true;
      }
    } else if (finished ? s.printed : t - s.last >= every) {
      write(`${describeProgress(step, done, total, unit)}\n`);
      s.last = t;
      s.printed = true;
    }
  };
}
