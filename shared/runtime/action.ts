import { z } from 'zod';
import type { ActionResult, Context } from './context.js';
import { type InputStyle, UserError } from './errors.js';

const metadataSchema = z.object({
  name: z.string(),
  description: z.string(),
  inputs: z
    .record(z.string(), z.object({ description: z.string(), required: z.boolean().optional(), default: z.string().optional() }))
    .default({}),
  outputs: z.record(z.string(), z.object({ description: z.string() })).default({}),
  runs: z.object({ using: z.string(), main: z.string() }),
});
export type ActionMetadata = z.infer<typeof metadataSchema>;

/**
 * action.yml is the one source of truth for input and output names and defaults; it arrives
 * parsed (`import doc from './action.yml'`, see yml.d.ts) and is checked here.
 */
export function parseActionMetadata(document: unknown): ActionMetadata {
  return metadataSchema.parse(document);
}

export type InputsSchema = z.ZodObject<Record<string, z.ZodType>>;

export interface ActionDefinition<S extends InputsSchema> {
  /** The folder name under actions/ and the CLI sub-command. */
  id: string;
  metadata: ActionMetadata;
  /** Keys are exactly the action.yml input names; values arrive as strings. */
  inputs: S;
  run(inputs: z.infer<S>, ctx: Context): Promise<ActionResult>;
}

/** An action of any input shape, for registries of actions (the CLI, the tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAction = ActionDefinition<any>;

export function defineAction<S extends InputsSchema>(def: {
  id: string;
  actionYml: unknown;
  inputs: S;
  run(inputs: z.infer<S>, ctx: Context): Promise<ActionResult>;
}): ActionDefinition<S> {
  return { id: def.id, metadata: parseActionMetadata(def.actionYml), inputs: def.inputs, run: def.run };
}

/**
 * An action whose inputs and metadata are here now and whose code loads on its first run: the
 * bundles put `load`'s module (and everything only it needs: DuckDB, ONNX Runtime, octokit, the
 * Kubernetes client...) in chunks a step reads only after its inputs parsed, so `--help`, a
 * missing input and the other actions of the CLI never pay for them.
 */
export function lazyAction<S extends InputsSchema>(
  def: { id: string; actionYml: unknown; inputs: S },
  load: () => Promise<{ action: ActionDefinition<S> }>,
): ActionDefinition<S> {
  let metadata: ActionMetadata | undefined;
  return {
    id: def.id,
    // Parsed when first asked for: an action's bundle parses its own action.yml, not every one.
    get metadata() {
      return (metadata ??= parseActionMetadata(def.actionYml));
    },
    inputs: def.inputs,
    run: async (inputs, ctx) => {
      const { action } = await load();
      if (action.id !== def.id) throw new Error(`the module loaded for ${def.id} defines ${action.id}`);
      return action.run(inputs, ctx);
    },
  };
}

/**
 * Raw strings (from INPUT_* or CLI flags) -> typed inputs. Missing values take the action.yml
 * default (the runner has applied it already; the CLI has not). A value set to the empty string
 * stays empty, as on the runner (`metrics: ''` means no metrics, not the default file). A bad
 * value is the user's mistake and names the input the way the user gave it (`style`).
 */
export function parseInputs<S extends InputsSchema>(def: ActionDefinition<S>, raw: Record<string, string | undefined>, style: InputStyle = 'action'): z.infer<S> {
  const named = (name: string) => (style === 'cli' ? `--${name}` : `input "${name}"`);
  const values: Record<string, string> = {};
  for (const name of Object.keys(raw)) {
    if (!(name in def.metadata.inputs)) {
      const known = Object.keys(def.metadata.inputs).map((n) => (style === 'cli' ? `--${n}` : n)).join(', ');
      throw new UserError(`unknown ${style === 'cli' ? 'flag' : 'input'} ${style === 'cli' ? `--${name}` : `"${name}"`} for ${def.id}`, { where: { input: name }, fix: `use one of: ${known}` });
    }
  }
  for (const [name, meta] of Object.entries(def.metadata.inputs)) {
    const given = raw[name]?.trim();
    // A default like `${{ github.token }}` is evaluated by the runner; elsewhere it means unset.
    const fallback = meta.default?.includes('${{') ? '' : (meta.default ?? '');
    const value = given === undefined ? fallback : given;
    if (meta.required && value === '') {
      const how = style === 'cli' ? `pass \`--${name} <value>\`` : `set \`${name}:\` under \`with:\``;
      throw new UserError(`${named(name)} is required`, { where: { input: name }, fix: `${how} (${meta.description.trim()})` });
    }
    values[name] = value;
  }
  const parsed = def.inputs.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? '');
    throw new UserError(`${named(name)} is invalid: ${issue.message} (got ${JSON.stringify(values[name] ?? '')})`, {
      where: { input: name },
      fix: def.metadata.inputs[name]?.description.trim(),
    });
  }
  return parsed.data;
}

/** Input value types shared by every action (the runner's conventions). */
export const input = {
  /** A non-empty string; the empty string means "not set". */
  optional: () => z.string().transform((s) => (s === '' ? undefined : s)),
  /** Items separated by commas or newlines (blanks and surrounding spaces dropped). */
  list: () =>
    z.string().transform((s) =>
      s
        .split(/[\n,]/)
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** getBooleanInput semantics: true/True/TRUE/false/False/FALSE only. */
  boolean: () =>
    z.enum(['true', 'True', 'TRUE', 'false', 'False', 'FALSE'], { message: 'expected true or false' }).transform((s) => s.toLowerCase() === 'true'),
};
