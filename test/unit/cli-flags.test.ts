import { describe, expect, it } from 'vitest';
import { parseFlags, runCli } from '../../shared/runtime/cli.js';
import { action as validateData } from '../../actions/validate-data/validate-data.js';

describe('parseFlags', () => {
  it('reads --name value and --name=value', () => {
    expect(parseFlags(['--data', 'a.csv', '--fail-on=never'])).toEqual({ data: 'a.csv', 'fail-on': 'never' });
  });
  it.each([
    [['data'], /unexpected argument/],
    [['--data'], /needs a value/],
    [['--data', 'a', '--data', 'b'], /given twice/],
  ])('rejects %j', (args, msg) => {
    expect(() => parseFlags(args)).toThrow(msg);
  });
});

describe('runCli', () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { stdout: (t: string) => (o.out += t), stderr: (t: string) => (o.err += t) } };
  };
  it('lists actions for an unknown one and fails', async () => {
    const { o, io: sink } = io();
    expect(await runCli([validateData], ['nope'], sink)).toBe(1);
    expect(o.err).toMatch(/unknown action "nope"[\s\S]*validate-data/);
  });
  it('prints inputs with defaults for --help', async () => {
    const { o, io: sink } = io();
    expect(await runCli([validateData], ['validate-data', '--help'], sink)).toBe(0);
    expect(o.err).toMatch(/--fail-on\s.*\(default: error\)/);
  });
  it('reports a user error without a stack trace', async () => {
    const { o, io: sink } = io();
    expect(await runCli([validateData], ['validate-data', '--data', 'does/not/exist.csv'], sink)).toBe(1);
    expect(o.err).toMatch(/^error: does\/not\/exist.csv: no such file or directory \(input `data`\)/);
    expect(o.err).not.toMatch(/\n\s+at /);
  });
});
