import { describe, expect, it } from 'vitest';
import { parseFlags, runCli } from '../../shared/runtime/cli.js';
import { shellLine, speakFlags } from '../../shared/runtime/cli-help.js';
import { action as validateData } from '../../actions/validate-data/validate-data.js';
import { action as train } from '../../actions/train/train.js';

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
  const program = { version: '9.8.7', examples: { 'validate-data': [['validate-data', '--data', 'my data.csv']] } };
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { stdout: (t: string) => (o.out += t), stderr: (t: string) => (o.err += t) } };
  };
  it('lists actions for an unknown one and exits 2 (a usage error)', async () => {
    const { o, io: sink } = io();
    expect(await runCli([validateData], ['nope'], program, sink)).toBe(2);
    expect(o.err).toMatch(/unknown action "nope"[\s\S]*validate-data/);
  });
  it('prints usage on stderr and exits 2 without an action; --help and --version go to stdout with 0', async () => {
    const none = io();
    expect(await runCli([validateData], [], program, none.io)).toBe(2);
    expect(none.o.err).toMatch(/^usage: mlops <action>/);
    expect(none.o.out).toBe('');
    const h = io();
    expect(await runCli([validateData], ['--help'], program, h.io)).toBe(0);
    expect(h.o.out).toMatch(/^usage: mlops <action>[\s\S]*validate-data/);
    expect(h.o.err).toBe('');
    const v = io();
    expect(await runCli([validateData], ['--version'], program, v.io)).toBe(0);
    expect(v.o.out).toBe('mlops 9.8.7\n');
  });
  it('prints inputs with defaults, and the examples, on stdout for <action> --help', async () => {
    const { o, io: sink } = io();
    expect(await runCli([validateData], ['validate-data', '--help'], program, sink)).toBe(0);
    expect(o.out).toMatch(/--fail-on\s.*\(default: error\)/);
    expect(o.out).toContain("examples:\n  mlops validate-data --data 'my data.csv'");
    expect(o.err).toBe('');
  });
  it('shows a runner expression default as the environment variable the CLI reads', async () => {
    const { o, io: sink } = io();
    await runCli([train], ['train', '--help'], program, sink);
    expect(o.out).toMatch(/--github-token\s.*\(default: \$GITHUB_TOKEN\)/);
    expect(o.out).not.toContain('${{');
  });
  it('reports a user error without a stack trace, naming the flag', async () => {
    const { o, io: sink } = io();
    expect(await runCli([validateData], ['validate-data', '--data', 'does/not/exist.csv'], program, sink)).toBe(1);
    expect(o.err).toMatch(/^error: does\/not\/exist.csv: no such file or directory \(--data\)/);
    expect(o.err).not.toMatch(/\n\s+at /);
  });
  it('speaks in flags about a missing or wrong input', async () => {
    const missing = io();
    expect(await runCli([validateData], ['validate-data'], program, missing.io)).toBe(1);
    expect(missing.o.err).toMatch(/^error: --data is required\nFix: pass `--data <value>`/);
    expect(missing.o.err).not.toContain('with:');
    const wrong = io();
    expect(await runCli([validateData], ['validate-data', '--data', 'x.csv', '--fail-on', 'maybe'], program, wrong.io)).toBe(1);
    expect(wrong.o.err).toMatch(/^error: --fail-on is invalid/);
    const unknown = io();
    expect(await runCli([validateData], ['validate-data', '--dta', 'x.csv'], program, unknown.io)).toBe(1);
    expect(unknown.o.err).toMatch(/^error: unknown flag --dta for validate-data[\s\S]*--data/);
  });
});

describe('speakFlags', () => {
  it.each([
    ['set `model:` to where it is written', 'set `--model` to where it is written'],
    ['set `data:` under `with:`', 'set `--data`'],
    ['pass `github-token: ${{ github.token }}` (the default on a runner)', 'pass `--github-token $GITHUB_TOKEN` (the default on a runner)'],
    ['`permissions: contents: write`', '`permissions: contents: write`'],
    ['Default: the `champion` alias in `store`.', 'Default: the `champion` alias in `--store`.'],
  ])('%j', (text, expected) => {
    expect(speakFlags(text, ['model', 'data', 'github-token', 'store'])).toBe(expected);
  });
});

describe('shellLine', () => {
  it('quotes what a shell would split or expand', () => {
    expect(shellLine(['train', '--command', 'node train.mjs', '--gates', "it's", '--x', 'a/b.csv'])).toBe("train --command 'node train.mjs' --gates 'it'\\''s' --x a/b.csv");
  });
});
