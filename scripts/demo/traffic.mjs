// Users' traffic for the demo: each day of a CSV (the weather example's columns) as one KServe v2
// request to the model server(s), round robin.
//   node scripts/demo/traffic.mjs <csv> <url>...            every day once; prints the predicted classes
//   node scripts/demo/traffic.mjs --loop <csv> <url>...     the days over and over, until SIGTERM
import fs from 'node:fs';

const args = process.argv.slice(2);
const loop = args[0] === '--loop';
const [csv, ...urls] = loop ? args.slice(1) : args;
if (!csv || urls.length === 0) {
  console.error('usage: node scripts/demo/traffic.mjs [--loop] <csv> <url>...');
  process.exit(2);
}
const [head, ...lines] = fs.readFileSync(csv, 'utf8').trim().split('\n');
const names = head.split(',');
const features = ['precipitation', 'temp_max', 'temp_min', 'wind'];
let running = true;
process.on('SIGTERM', () => (running = false));

async function predict(url, line) {
  const cells = line.split(',');
  const body = { inputs: features.map((name) => ({ name, shape: [1, 1], datatype: 'FP32', data: [Number(cells[names.indexOf(name)])] })) };
  const res = await fetch(`${url}/v2/models/weather/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`infer: ${res.status} ${await res.text()}`);
  return (await res.json()).outputs.find((o) => o.datatype === 'BYTES').data[0];
}

const counts = {};
let sent = 0;
do {
  for (const line of lines) {
    if (!running) break;
    const label = await predict(urls[sent++ % urls.length], line);
    counts[label] = (counts[label] ?? 0) + 1;
  }
} while (loop && running);
if (!loop) console.log(`    ${lines.length} days served, one request each; predicted: ${JSON.stringify(counts)}`);
