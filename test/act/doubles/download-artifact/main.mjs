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
const pattern = input('pattern');
if (!name === !pattern) fail('the double downloads one artifact by name, or those whose names match pattern');
const runId = input('run-id') || process.env.GITHUB_RUN_ID || '1';
if (runId !== (process.env.GITHUB_RUN_ID ?? '1') && !input('github-token')) fail(`Input 'github-token' is required when 'run-id' is set to another run`);
const dest = path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd(), input('path') || '.');
if (name) {
  const from = path.join(store, runId, name);
  if (!fs.existsSync(from)) fail(`Artifact not found for name: ${name} (run ${runId})`);
  fs.cpSync(from, dest, { recursive: true });
  console.log(`Artifact ${name} of run ${runId} downloaded to ${dest}`);
} else {
  // A glob on artifact names (`*` and `?`, as the real action's minimatch does for plain names);
  // each into <path>/<name>, or all into <path> with merge-multiple.
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const names = fs.existsSync(path.join(store, runId)) ? fs.readdirSync(path.join(store, runId)).filter((n) => re.test(n)).sort() : [];
  const merge = input('merge-multiple') === 'true';
  for (const n of names) fs.cpSync(path.join(store, runId, n), merge ? dest : path.join(dest, n), { recursive: true });
  console.log(`${names.length} artifact(s) matching ${pattern} of run ${runId} downloaded to ${dest}${merge ? ' (merged)' : ''}`);
}
fs.appendFileSync(process.env.GITHUB_OUTPUT, `download-path=${dest}\n`);
