import { describe, expect, it } from 'vitest';
import { parseTests, parseThresholds, requestFor, selectColumns } from '../../shared/drift/compare.js';
import { lastDispatch } from '../../shared/monitor/alert.js';
import { UserError } from '../../shared/runtime/errors.js';

const options = (tests = '', thresholds = '', columns: string[] = []) => ({ columns, tests: parseTests(tests), thresholds: parseThresholds(thresholds), driftShare: 0.5 });

describe('drift-check column options', () => {
  it('per-column tests and thresholds, * for the others, a bare value for all', () => {
    const o = options('temp_max: psi\n*: hellinger', 'temp_max: 0.2, *: 0.3');
    expect(requestFor('temp_max', o)).toEqual({ test: 'psi', threshold: 0.2 });
    expect(requestFor('wind', o)).toEqual({ test: 'hellinger', threshold: 0.3 });
    expect(requestFor('wind', options('ks'))).toEqual({ test: 'ks' });
    expect(requestFor('wind', options())).toEqual({});
    // A column name holding a colon: the value is after the last one.
    expect(requestFor('a:b', options('a:b: z'))).toEqual({ test: 'z' });
  });

  it.each([
    ['stattest', () => parseTests('temp_max: t-test'), /"temp_max: t-test" is not `column: test \(one of ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger\)`/],
    ['stattest', () => parseTests('a: ks\na: psi'), /column 'a' is given twice/],
    ['stattest-threshold', () => parseThresholds('a: -1'), /"a: -1" is not `column: number`/],
    ['stattest-threshold', () => parseThresholds('a: lots'), /is not `column: number`/],
  ])('%s mistakes are UserErrors naming the input', (input, fn, message) => {
    expect(fn).toThrow(UserError);
    expect(fn).toThrow(message);
    try {
      fn();
    } catch (e) {
      expect((e as UserError).where.input).toBe(input);
    }
  });

  it('columns: the shared ones by default, the missing ones said; named ones must exist; overrides must name compared columns', () => {
    expect(selectColumns(['a', 'b', 'c'], ['a', 'c', 'd'], options())).toEqual({ compared: ['a', 'c'], skipped: [{ column: 'b', reason: 'not in the current data' }] });
    expect(() => selectColumns(['a'], ['a'], options('', '', ['x']))).toThrow(/column 'x' is not in the reference/);
    expect(() => selectColumns(['a', 'x'], ['a'], options('', '', ['x']))).toThrow(/column 'x' is not in the current data/);
    expect(() => selectColumns(['a', 'b'], ['a', 'b'], options('c: psi'))).toThrow(/column 'c' is not compared/);
  });
});

describe('the retrain cooldown stamp in the drift issue', () => {
  it('reads the last dispatch time, or none', () => {
    expect(lastDispatch('<!-- mlops:retrain-dispatched-at 2026-12-01T02:00:00.000Z -->\nreport')).toEqual(new Date('2026-12-01T02:00:00.000Z'));
    expect(lastDispatch('no stamp')).toBeUndefined();
    expect(lastDispatch(undefined)).toBeUndefined();
  });
});
