// actions/download-artifact for the act tests: copies an artifact from the local store.
import fs from 'node:fs';
import path from 'node:path';

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
const fail = (message) => {
  process.stdout.write(`::error::${message}\n`);
  process.exit(1);
};

const store = process.env.ACT_TEST_ARTIFACTS;
if (!store) fail('ACT_TEST_ARTIFACTS is not set: the act test passes it with --env');
const name = input('name');
if (!name || input('pattern')) fail('the double downloads one artifact by name (no pattern)');
const runId = input('run-id') || process.env.GITHUB_RUN_ID || '1';
if (runId !== (process.env.GITHUB_RUN_ID ?? '1') && !input('github-token')) fail(`Input 'github-token' is required when 'run-id' is set to another run`);
const from = path.join(store, runId, name);
if (!fs.existsSync(from)) fail(`Artifact not found for name: ${name} (run ${runId})`);
const dest = path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), input('path') || '.');
fs.cpSync(from, dest, { recursive: true });
fs.appendFileSync(process.env.GITHUB_OUTPUT, `download-path=${dest}\n`);
console.log(`Artifact ${name} of run ${runId} downloaded to ${dest}`);
