// actions/upload-artifact for the act tests: copies the matched files, relative to their least
// common ancestor directory (as the real action roots them), into the local artifact store.
import fs from 'node:fs';
import path from 'node:path';

const input = (name) => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim();
const fail = (message) => {
  process.stdout.write(`::error::${message}\n`);
  process.exit(1);
};

const store = process.env.ACT_TEST_ARTIFACTS;
if (!store) fail('ACT_TEST_ARTIFACTS is not set: the act test passes it with --env');
const name = input('name') || 'artifact';
const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
const patterns = input('path').split('\n').map((p) => p.trim()).filter(Boolean);

const files = new Set();
for (const pattern of patterns) {
  const abs = path.resolve(workspace, pattern);
  const matches = fs.existsSync(abs) ? [abs] : fs.globSync(abs);
  for (const m of matches) {
    if (fs.statSync(m).isDirectory()) {
      for (const f of fs.readdirSync(m, { recursive: true })) if (fs.statSync(path.join(m, f)).isFile()) files.add(path.join(m, f));
    } else {
      files.add(m);
    }
  }
}
if (files.size === 0) {
  const how = input('if-no-files-found') || 'warn';
  const message = `No files were found with the provided path: ${patterns.join(', ')}. No artifacts will be uploaded.`;
  if (how === 'error') fail(message);
  if (how === 'warn') process.stdout.write(`::warning::${message}\n`);
  process.exit(0);
}

let common = path.dirname([...files][0]).split(path.sep);
for (const f of files) {
  const parts = path.dirname(f).split(path.sep);
  let i = 0;
  while (i < common.length && common[i] === parts[i]) i++;
  common = common.slice(0, i);
}
const root = common.join(path.sep) || path.sep;
const dest = path.join(store, process.env.GITHUB_RUN_ID ?? '1', name);
if (fs.existsSync(dest)) {
  if (input('overwrite') !== 'true') fail(`Failed to CreateArtifact: an artifact with this name already exists on the workflow run: ${name}`);
  fs.rmSync(dest, { recursive: true });
}
for (const f of files) {
  const to = path.join(dest, path.relative(root, f));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(f, to);
}
const id = fs.readdirSync(store, { recursive: true }).length;
fs.appendFileSync(process.env.GITHUB_OUTPUT, `artifact-id=${id}\n`);
console.log(`Artifact ${name} has been successfully uploaded: ${files.size} file(s)`);
