import pkg from './package.json' with { type: 'json' };
import { runCli } from '../shared/runtime/cli.js';
import { actions } from './actions.js';
import { examples } from './examples.js';

process.exitCode = await runCli(actions, process.argv.slice(2), { version: pkg.version, examples });
