// Cold start of each action bundle and of the CLI against `node -e 0`, run alternately
// (A B C ... A B C ...) with the same Node 24 and the same environment (NODE_EXTRA_CA_CERTS
// included, as on this machine: Node reads the CA bundle at start either way). Each action
// runs with no inputs, as a runner would start it: it parses its inputs and fails on the first
// required one (exit 1), which is all the start-up it does before its own work. Also: a real,
// tiny validate-data (3 rows), from spawn to exit.
//   node bench/startup/startup.mjs <node> <repo> <rounds>   (prints the runs as TSV)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [nodeArg, repoArg, roundsArg] = process.argv.slice(2);
const node = path.resolve(nodeArg);
const repo = path.resolve(repoArg);
const rounds = Number(roundsArg ?? 15);
const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
fs.writeFileSync(path.join(ws, 'd.csv'), 'a,b\n1,x\n2,y\n3,z\n');
for (const f of ['out', 'summary']) fs.writeFileSync(path.join(ws, f), '');
const actions = fs.readdirSync(path.join(repo, 'actions')).filter((d) => fs.existsSync(path.join(repo, 'actions', d, 'dist', 'index.js'))).sort();
const env = { ...process.env, GITHUB_OUTPUT: path.join(ws, 'out'), GITHUB_STEP_SUMMARY: path.join(ws, 'summary'), RUNNER_TEMP: ws };
const cases = [
  { name: 'node -e 0', args: ['-e', '0'], expect: 0 },
  ...actions.map((a) => ({ name: `${a} (no inputs)`, args: [path.join(repo, 'actions', a, 'dist', 'index.js')], expect: 1 })),
  { name: 'mlops --help', args: [path.join(repo, 'cli', 'dist', 'mlops.js'), '--help'], expect: 0 },
  { name: 'validate-data, 3 rows', args: [path.join(repo, 'actions', 'validate-data', 'dist', 'index.js')], expect: 0, env: { INPUT_DATA: 'd.csv', INPUT_PROFILE: 'p.json', INPUT_REPORT: 'r.json', 'INPUT_FAIL-ON': 'error' } },
];
const times = cases.map(() => []);
for (let r = 0; r < rounds + 1; r++) {
  cases.forEach((c, i) => {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(node, c.args, { cwd: ws, env: { ...env, ...c.env }, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== c.expect) throw new Error(`${c.name}: exit ${res.status}, expected ${c.expect}`);
    if (r > 0) times[i].push(ms); // round 0 warms the page cache
  });
}
fs.rmSync(ws, { recursive: true, force: true });
// The raw runs (case, goal, round, ms) as TSV: bench/startup/table.py writes the table.
console.log('case\tgoal\tround\tms\tstatus');
cases.forEach((c, i) => {
  const goal = i === 0 || c.name.startsWith('validate-data, ') ? '' : '<= 1.3x';
  times[i].forEach((ms, r) => console.log(`${c.name}\t${goal}\t${r + 1}\t${ms.toFixed(2)}\tok`));
});
