import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ActionDefinition, type AnyAction, type InputsSchema, parseInputs } from './action.js';
import { shownAnnotations } from './annotations.js';
import { LocalFileCache, localCacheDir } from './cache.js';
import type { Context, Logger } from './context.js';
import { UserError, describeBug, isUserError } from './errors.js';
import { help, SUMMARY_MD, speakFlags, usage } from './cli-help.js';
import { progressReporter } from './progress.js';
import { withoutCredentialsIn } from '../lineage/url.js';
import { toTerminal } from '../report/terminal.js';
import { commandSafe, plainText, plainValue, printableJson } from '../report/text.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress rewrites one line in place. */
  live?: boolean;
}

const processIO: CliIO = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t), live: process.stderr.isTTY === true };

export interface CliProgram {
  version: string;
  /** Example command lines per action (argv after `mlops`), shown by --help; each is run by a test. */
  examples?: Record<string, string[][]>;
}

/** Exit codes: 0 ok, 1 failed checks or a mistake in the inputs, 2 no or unknown action, 3 a bug of ours. */
export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 3 } as const;

/**
 * `mlops <action> --<input> <value> ...`: the same operation as the action, the same input
 * names. Outputs go to stdout as JSON; the summary (as terminal text), annotations and logs to
 * stderr; `--summary-md <file>` also appends the summary as markdown (e.g. to
 * $GITHUB_STEP_SUMMARY). Every line printed is safe in a workflow's `run:` step: a value never
 * starts a line, no line can be read as a workflow command (report/text.ts).
 */
export async function runCli(actions: AnyAction[], argv: string[], program: CliProgram, sink: CliIO = processIO): Promise<number> {
  const out = (text: string) => sink.stdout(commandSafe(text));
  const stderr = stderrWriter(sink.stderr);
  const err = stderr.text;
  const [command, ...rest] = argv;
  if (command === undefined) {
    err(usage(actions));
    return EXIT.usage;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    out(usage(actions));
    return EXIT.ok;
  }
  if (command === '--version' || command === '-V') {
    out(`mlops ${program.version}\n`);
    return EXIT.ok;
  }
  const def = actions.find((a) => a.id === command);
  if (!def) {
    err(`error: unknown action "${plainValue(command, 100)}"\n\n${usage(actions)}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(help(def, program.examples?.[def.id] ?? []));
    return EXIT.ok;
  }
  const names = Object.keys(def.metadata.inputs);
  try {
    const flags = parseFlags(rest);
    const summaryFile = flags[SUMMARY_MD];
    delete flags[SUMMARY_MD];
    const inputs = parseInputs(def as ActionDefinition<InputsSchema>, flags, 'cli');
    const ctx: Context = {
      log: cliLog(stderr, sink.live === true),
      workspace: process.cwd(),
      tempDir: os.tmpdir(),
      env: process.env,
      cache: new LocalFileCache(localCacheDir(process.env)),
      mask: () => undefined, // a terminal has no log masker
    };
    const result = await def.run(inputs, ctx);
    err(`\n${toTerminal(result.summary)}\n\n`);
    if (summaryFile) fs.appendFileSync(path.resolve(summaryFile), `${result.summary}\n`);
    for (const a of shownAnnotations(result.annotations, result.failure ? 1 : 0)) {
      const place = a.file ? ` ${[displayFile(a.file), a.line, a.column].filter((p) => p !== undefined).join(':')}:` : '';
      err(`${a.level}:${place} ${plainValue(a.message, 4000)}\n`);
    }
    out(`${printableJson(result.outputs)}\n`);
    if (result.failure) {
      err(`error: ${speakFlags(plainText(withoutCredentialsIn(result.failure)), names)}\n`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } catch (e) {
    if (isUserError(e)) {
      err(`error: ${speakFlags(plainText(withoutCredentialsIn(e.describe('cli'))), names)}\n`);
      return EXIT.failed;
    }
    err(`${withoutCredentialsIn(describeBug(e))}\n`);
    return EXIT.bug;
  }
}

/**
 * stderr, each line made safe for the runner (a value cannot become a workflow command), where a
 * live progress line may be open: anything else written first clears it.
 */
function stderrWriter(write: (text: string) => void): { text(t: string): void; progress(t: string): void } {
  let open = false;
  return {
    text(t) {
      if (open) write('\r\x1b[K');
      open = false;
      write(commandSafe(t));
    },
    progress(t) {
      write(commandSafe(t));
      open = !t.endsWith('\n');
    },
  };
}

/** A file an annotation points at, as a path that starts with our text (`./`), not with a value. */
function displayFile(file: string): string {
  const shown = plainValue(file, 300);
  return path.isAbsolute(file) || shown.startsWith('./') || shown.startsWith('../') ? shown : `./${shown}`;
}

function cliLog(stderr: ReturnType<typeof stderrWriter>, live: boolean): Logger {
  const line = (text: string) => stderr.text(withoutCredentialsIn(text));
  return {
    info: (m) => line(`${m}\n`),
    warn: (m) => line(`warning: ${plainText(m)}\n`),
    debug: (m) => (process.env.MLOPS_DEBUG ? line(`debug: ${m}\n`) : undefined),
    group: async (name, fn) => {
      line(`▸ ${plainValue(name)}\n`);
      return fn();
    },
    progress: progressReporter(stderr.progress, { live }),
  };
}

/** `--name value` and `--name=value`; a flag given twice is a mistake, not a silent override. */
export function parseFlags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UserError(`unexpected argument "${arg}"`, { fix: 'pass inputs as --<input-name> <value>' });
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      const next = args[i + 1];
      if (next === undefined) throw new UserError(`flag --${name} needs a value`, { fix: `pass --${name} <value> or --${name}=<value>` });
      value = next;
      i++;
    }
    if (name in out) throw new UserError(`flag --${name} given twice`, { fix: 'give each flag once' });
    out[name] = value;
  }
  return out;
}
