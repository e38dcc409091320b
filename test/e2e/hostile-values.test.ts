import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE24, REPO_ROOT, runAction, workspaceWith } from '../harness/runner.js';

/**
 * Data that tries to become a workflow command, to spoof the display or to flood it, run
 * through the CLI and the action bundle; every line and every rendered place is scanned.
 */
const huge = 'H'.repeat(100_000);
const values = ['after\n::error::after-newline at row 2', 'rlo\u202Egnp.exe', 'zero\u200Bwidth', '##[warning]legacy', '  ::add-mask::x', `cr\r::notice::lone cr`, huge, 'esc\u001b[2Jclear'];
const csv = `id,name\n1,ok\n${values.map((v, i) => `${i + 2},"${v.replace(/"/g, '""')}"`).join('\n')}\n`;
const schema = 'version: 1\ncolumns:\n  name: { allowed: [ok] }\n';
/** Invisible or text-moving characters (report/text.ts), newline and ESC of our own aside. */
const INVISIBLE = /[\u0000-\u0009\u000B-\u001A\u001C-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2028\u2029\u2060-\u2064\u2066-\u206F\u3164\uFEFF\uFFA0]/u;

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/); // how the runner splits a step's output
}

function expectRunnerSafe(text: string, where: string): void {
  for (const line of lines(text)) {
    expect(line.trimStart().startsWith('::'), `${where}: ${line.slice(0, 120)}`).toBe(false);
    expect(line.includes('##['), `${where}: ${line.slice(0, 120)}`).toBe(false);
  }
}

describe('hostile values', () => {
  it('the CLI: no output line is a workflow command, nothing invisible, long values cut', async () => {
    const ws = workspaceWith({ 'h.csv': csv, 's.yml': schema });
    dirs.push(ws);
    const r = await promisify(execFile)(NODE24, [path.join(REPO_ROOT, 'cli/dist/mlops.js'), 'validate-data', '--data', 'h.csv', '--schema', 's.yml', '--summary-md', 'summary.md'], { cwd: ws, maxBuffer: 64 << 20 }).then(
      (x) => ({ code: 0, ...x }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr]] as const) {
      expectRunnerSafe(text, name);
      expect(text).not.toMatch(INVISIBLE);
      expect(text).not.toContain('H'.repeat(1000));
    }
    expect(r.stderr).toContain('after\\n::error::after-newline');
    expect(r.stderr).toContain('rlo\\u202Egnp.exe');
    // Terminal text, not markdown; the markdown went to --summary-md.
    expect(r.stderr).not.toMatch(/<\/?(code|details|summary)>|&#64;|^#+ /m);
    const md = fs.readFileSync(path.join(ws, 'summary.md'), 'utf8');
    expect(md).toContain('<details>');
    expect(md).not.toMatch(INVISIBLE);
    expect(md).not.toContain('H'.repeat(1000));
  });

  it('the action: summary, annotations and log lines carry no command, nothing invisible, long values cut', async () => {
    const ws = workspaceWith({ 'h.csv': csv, 's.yml': schema });
    dirs.push(ws);
    const r = await runAction('validate-data', { data: 'h.csv', schema: 's.yml' }, { workspace: ws });
    expect(r.exitCode).toBe(1);
    expect(r.summary).not.toMatch(INVISIBLE);
    expect(r.summary).not.toContain('H'.repeat(1000));
    expect(r.summary).toContain('rlo\\\\u202Egnp.exe');
    expect(r.annotations.length).toBeGreaterThan(0);
    for (const a of r.annotations) {
      expect(`${a.title ?? ''} ${a.message}`).not.toMatch(INVISIBLE);
      expect(a.message).not.toContain('H'.repeat(1000));
    }
    // Our own commands (annotations) escape their data; a value never starts its own.
    for (const line of lines(r.stdout)) {
      expect(line).not.toMatch(/^\s*::(error|warning|notice|add-mask)::(after-newline|x|lone cr)/);
      expect(line).not.toContain('##[');
    }
  });
});
