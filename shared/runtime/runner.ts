import os from 'node:os';
import * as core from '@actions/core';
import { type ActionDefinition, type InputsSchema, parseInputs } from './action.js';
import { shownAnnotations } from './annotations.js';
import { ActionsFileCache, LocalFileCache, localCacheDir } from './cache.js';
import type { ActionResult, Context, Logger } from './context.js';
import { describeBug, isUserError } from './errors.js';
import { progressReporter } from './progress.js';
import { withoutCredentialsIn } from '../lineage/url.js';
import { fitSummary } from '../report/markdown.js';
import { commandSafe, plainText } from '../report/text.js';

/** Inputs whose values are credentials: masked before anything can print them. */
const SECRET_INPUT = /(token|password|secret|private-key|api-key|webhook)$/i;

/** The GitHub Actions adapter: INPUT_* in, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / annotations out. */
export async function runAction<S extends InputsSchema>(def: ActionDefinition<S>): Promise<void> {
  try {
    const raw: Record<string, string | undefined> = {};
    for (const name of Object.keys(def.metadata.inputs)) {
      const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
      if (value !== undefined) raw[name] = value;
      if (value && SECRET_INPUT.test(name)) for (const line of value.split(/\r?\n/)) if (line.trim()) core.setSecret(line.trim());
    }
    const inputs = parseInputs(def, raw);
    const log = runnerLog();
    const ctx: Context = {
      log,
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      tempDir: process.env.RUNNER_TEMP || os.tmpdir(),
      env: process.env,
      mask: (secret) => secret.split(/\r?\n/).filter((l) => l.trim()).forEach((l) => core.setSecret(l.trim())),
      cache: process.env.ACTIONS_RESULTS_URL || process.env.ACTIONS_CACHE_URL ? new ActionsFileCache(log) : new LocalFileCache(localCacheDir(process.env)),
    };
    const result = await def.run(inputs, ctx);
    await report(def, result);
  } catch (e) {
    if (isUserError(e)) {
      const { file, line, column } = e.where;
      core.error(plainText(withoutCredentialsIn(e.describe())), { title: `${def.id}: ${e.title}`, file, startLine: line, startColumn: line ? column : undefined });
      process.exitCode = 1;
    } else {
      core.setFailed(withoutCredentialsIn(describeBug(e)));
    }
  }
}

async function report<S extends InputsSchema>(def: ActionDefinition<S>, result: ActionResult): Promise<void> {
  for (const [name, value] of Object.entries(result.outputs)) {
    if (!(name in def.metadata.outputs)) throw new Error(`output "${name}" is not declared in actions/${def.id}/action.yml`);
    core.setOutput(name, value);
  }
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(fitSummary(result.summary)).write();
  for (const a of shownAnnotations(result.annotations, result.failure ? 1 : 0)) {
    const props = { title: a.title, file: a.file, startLine: a.line, startColumn: a.line ? a.column : undefined };
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }
  if (result.failure) core.setFailed(plainText(withoutCredentialsIn(result.failure)));
}

/**
 * The log as the runner reads it: a plain log line (core.info) is not escaped by the toolkit, so
 * each is made command-safe (a value cannot start a line with `::` or carry `##[`), and URLs in
 * it lose their credentials (lineage/url.ts); warnings are
 * annotations and shown like them; progress prints a line every 10 s of a long step.
 */
function runnerLog(): Logger {
  const info = (m: string) => core.info(commandSafe(withoutCredentialsIn(m)));
  return {
    info,
    warn: (m) => core.warning(plainText(withoutCredentialsIn(m))),
    debug: (m) => core.debug(m),
    group: (name, fn) => core.group(plainText(name).replace(/\n/g, ' '), fn),
    progress: progressReporter((line) => info(line.trimEnd()), { live: false }),
  };
}
