import { runCli } from '../shared/runtime/cli.js';
import { action as validateData } from '../actions/validate-data/validate-data.js';

/** Every action, runnable as `mlops <id> --<input> <value>`. */
export const actions = [validateData];

process.exitCode = await runCli(actions, process.argv.slice(2));
