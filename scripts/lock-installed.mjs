// Exits 0 when node_modules holds exactly the packages package-lock.json names (version and
// integrity, as npm recorded them in node_modules/.package-lock.json), so `npm ci` would change
// nothing; else prints the first difference and exits 1. Usage: node scripts/lock-installed.mjs [dir]
import fs from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? '.');
const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).packages ?? {};
function difference() {
  if (!fs.existsSync(path.join(dir, 'node_modules/.package-lock.json'))) return 'node_modules is not installed';
  const locked = read('package-lock.json');
  const installed = read('node_modules/.package-lock.json');
  for (const [name, want] of Object.entries(locked)) {
    if (name === '' || want.link) continue;
    const got = installed[name];
    // Optional packages for other platforms are never installed.
    if (!got) {
      if (want.optional) continue;
      return `${name} is not installed`;
    }
    if (got.version !== want.version || got.integrity !== want.integrity) return `${name} is ${got.version}, the lock says ${want.version}`;
    if (!fs.existsSync(path.join(dir, name, 'package.json'))) return `${name} is missing from disk`;
  }
  for (const name of Object.keys(installed)) if (!(name in locked)) return `${name} is installed but not in the lock`;
  return null;
}
const diff = difference();
if (diff) {
  console.log(`node_modules differs from package-lock.json: ${diff}`);
  process.exit(1);
}
console.log('node_modules holds exactly what package-lock.json names');
