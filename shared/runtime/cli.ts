import os from 'node:os';
import { type ActionDefinition, type AnyAction, type InputsSchema, parseInputs } from './action.js';
import { LocalFileCache, localCacheDir } from './cache.js';
import type { Context } from './context.js';
import { UserError, describeBug, isUserError } from './errors.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIO: CliIO = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/**
 * `mlops <action> --<input> <value> ...`: the same operation as the action, the same input
 * names. Outputs go to stdout as JSON; the summary (markdown), annotations and logs to stderr.
 * Returns the exit code: 0 ok, 1 failed (user error or failing checks), 2 bug.
 */
export async function runCli(actions: AnyAction[], argv: string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  const def = actions.find((a) => a.id === command);
  if (!def) {
    io.stderr(usage(actions, command));
    return command === undefined || command === '--help' || command === '-h' ? 0 : 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stderr(help(def));
    return 0;
  }
  try {
    const inputs = parseInputs(def as ActionDefinition<InputsSchema>, parseFlags(rest));
    const ctx: Context = {
      log: {
        info: (m) => io.stderr(`${m}\n`),
        warn: (m) => io.stderr(`warning: ${m}\n`),
        debug: (m) => (process.env.MLOPS_DEBUG ? io.stderr(`debug: ${m}\n`) : undefined),
        group: async (name, fn) => {
          io.stderr(`▸ ${name}\n`);
          return fn();
        },
      },
      workspace: process.cwd(),
      tempDir: os.tmpdir(),
      env: process.env,
      cache: new LocalFileCache(localCacheDir(process.env)),
      mask: () => undefined, // a terminal has no log masker
    };
    const result = await def.run(inputs, ctx);
    io.stderr(`\n${result.summary}\n\n`);
    for (const a of result.annotations) {
      const place = a.file ? `${[a.file, a.line, a.column].filter((p) => p !== undefined).join(':')}: ` : '';
      io.stderr(`${place}${a.level}: ${a.message}\n`);
    }
    io.stdout(`${JSON.stringify(result.outputs, null, 2)}\n`);
    if (result.failure) {
      io.stderr(`error: ${result.failure}\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    if (isUserError(e)) {
      io.stderr(`error: ${e.describe()}\n`);
      return 1;
    }
    io.stderr(`${describeBug(e)}\n`);
    return 2;
  }
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
      if (next === undefined) throw new UserError(`flag --${name} needs a value`, { where: { input: name } });
      value = next;
      i++;
    }
    if (name in out) throw new UserError(`flag --${name} given twice`, { where: { input: name } });
    out[name] = value;
  }
  return out;
}

function usage(actions: AnyAction[], command: string | undefined): string {
  const head = command && !command.startsWith('-') ? `unknown action "${command}"\n\n` : '';
  const list = actions.map((a) => `  ${a.id.padEnd(16)} ${a.metadata.description.trim().split('\n')[0]}`).join('\n');
  return `${head}usage: mlops <action> --<input> <value> ...\n\nactions:\n${list}\n\nmlops <action> --help lists the inputs.\n`;
}

function help(def: AnyAction): string {
  const lines = Object.entries(def.metadata.inputs).map(([name, m]) => {
    const dflt = m.default !== undefined && m.default !== '' ? ` (default: ${m.default})` : m.required ? ' (required)' : '';
    return `  --${name.padEnd(14)} ${m.description.trim().split('\n')[0]}${dflt}`;
  });
  const outs = Object.entries(def.metadata.outputs).map(([name, m]) => `  ${name.padEnd(16)} ${m.description.trim().split('\n')[0]}`);
  return `mlops ${def.id}: ${def.metadata.description.trim()}\n\ninputs:\n${lines.join('\n')}\n\noutputs (printed as JSON):\n${outs.join('\n')}\n`;
}
