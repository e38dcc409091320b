/** The CLI's own text: usage, an action's help, and messages reworded for the command line. */
import type { AnyAction } from './action.js';

/** Flags of the CLI itself, next to an action's inputs. */
export const SUMMARY_MD = 'summary-md';

/**
 * Messages are written for workflows (`set \`data:\` under \`with:\``); on the command line they
 * speak of flags (`--data`) and environment variables.
 */
export function speakFlags(text: string, inputs: string[]): string {
  return text
    .replace(/ under `with:`/g, '')
    .replace(/\$\{\{\s*github\.([a-z_]+)\s*\}\}/g, (_, n: string) => `$GITHUB_${n.toUpperCase()}`)
    .replace(/`([a-z0-9-]+):(?: ([^`]*))?`/g, (m, name: string, value: string | undefined) => (inputs.includes(name) ? `\`--${name}${value ? ` ${value}` : ''}\`` : m))
    .replace(/`([a-z0-9-]+)`/g, (m, name: string) => (inputs.includes(name) ? `\`--${name}\`` : m));
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]!;
}

export function usage(actions: AnyAction[]): string {
  const list = actions.map((a) => `  ${a.id.padEnd(16)} ${firstLine(a.metadata.description)}`).join('\n');
  return [
    'usage: mlops <action> --<input> <value> ...',
    '       mlops <action> --help | mlops --help | mlops --version',
    '',
    'actions:',
    list,
    '',
    'Outputs are printed as JSON on stdout; the summary, annotations and logs on stderr.',
    `--${SUMMARY_MD} <file> also appends the summary as markdown (e.g. to $GITHUB_STEP_SUMMARY).`,
    'Exit codes: 0 ok, 1 failed checks or a wrong input, 2 no or unknown action, 3 a bug (please report it).',
    '',
  ].join('\n');
}

/** A default as it applies on the command line: `${{ github.token }}` is the GITHUB_TOKEN variable. */
function cliDefault(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return '';
  return speakFlags(value.trim().split('\n').map((l) => l.trim()).filter(Boolean).join(', '), []);
}

/** A command line as a shell would take it back. */
export function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function help(def: AnyAction, examples: string[][]): string {
  const names = Object.keys(def.metadata.inputs);
  const inputs = Object.entries(def.metadata.inputs).map(([name, m]) => {
    const d = cliDefault(m.default);
    const note = d ? ` (default: ${d})` : m.required ? ' (required)' : '';
    return `  --${name.padEnd(18)} ${speakFlags(firstLine(m.description), names)}${note}`;
  });
  const outs = Object.entries(def.metadata.outputs).map(([name, m]) => `  ${name.padEnd(20)} ${firstLine(m.description)}`);
  return [
    `mlops ${def.id}: ${def.metadata.description.trim()}`,
    '',
    `usage: mlops ${def.id} --<input> <value> ...`,
    '',
    'inputs:',
    ...inputs,
    `  --${SUMMARY_MD.padEnd(18)} also append the summary as markdown to this file (e.g. $GITHUB_STEP_SUMMARY)`,
    '',
    'outputs (printed as JSON on stdout):',
    ...outs,
    ...(examples.length ? ['', 'examples:', ...examples.map((e) => `  mlops ${shellLine(e)}`)] : []),
    '',
  ].join('\n');
}
