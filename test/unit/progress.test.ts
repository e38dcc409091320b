import { describe, expect, it } from 'vitest';
import { describeProgress, progressReporter } from '../../shared/runtime/progress.js';

function clocked(live: boolean) {
  let t = 0;
  const written: string[] = [];
  const report = progressReporter((s) => written.push(s), { live, now: () => t });
  return { report, written, tick: (ms: number) => (t += ms) };
}

describe('progress', () => {
  it('describes counts, percentages and bytes', () => {
    expect(describeProgress('Scoring', 1500)).toBe('Scoring: 1,500');
    expect(describeProgress('Scoring', 1500, undefined, 'rows')).toBe('Scoring: 1,500 rows');
    expect(describeProgress('Scoring', 250, 1000, 'rows')).toBe('Scoring: 25% (250 of 1,000 rows)');
    expect(describeProgress('Scanning the data', 42, 100, '%')).toBe('Scanning the data: 42%');
    expect(describeProgress('Uploading', 3 * 2 ** 20, 12 * 2 ** 20, 'bytes')).toBe('Uploading: 25% (3.0 of 12.0 MiB)');
  });

  it('in a log: nothing for a short step; a line every 10 s of a long one, and a last one', () => {
    const short = clocked(false);
    short.report('Scoring', 10, undefined, 'rows');
    short.tick(500);
    short.report('Scoring', 20, 20, 'rows');
    expect(short.written).toEqual([]);

    const long = clocked(false);
    long.report('Scoring', 10, 100);
    long.tick(10_000);
    long.report('Scoring', 50, 100);
    long.tick(1_000);
    long.report('Scoring', 60, 100);
    long.report('Scoring', 100, 100);
    expect(long.written).toEqual(['Scoring: 50% (50 of 100)\n', 'Scoring: 100% (100 of 100)\n']);
  });

  it('in a terminal: one line rewritten in place, ended when the step is done', () => {
    const tty = clocked(true);
    tty.report('Uploading', 1, 4);
    tty.tick(300);
    tty.report('Uploading', 2, 4);
    tty.tick(300);
    tty.report('Uploading', 4, 4);
    expect(tty.written).toEqual(['\rUploading: 50% (2 of 4)\x1b[K', '\rUploading: 100% (4 of 4)\x1b[K\n']);
  });
});
