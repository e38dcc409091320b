import { runCli } from '../shared/runtime/cli.js';
import { actions } from './actions.js';

process.exitCode = await runCli(actions, process.argv.slice(2));
