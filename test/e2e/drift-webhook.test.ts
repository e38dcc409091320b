/**
 * drift-check's webhook through the runner protocol, against a real HTTP receiver on 127.0.0.1:
 * each format's body (Slack blocks, the Teams Adaptive Card, the versioned JSON alert), retries
 * on 5xx/429 honouring Retry-After, a receiver that never answers well (a warning; the verdict,
 * the outputs and the exit status per fail-on stand), and the URL (the credential) masked and
 * never shown.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { driftAlertSchema } from '../../shared/monitor/webhook-message.js';
import { type GitHubFake, startGitHubFake } from '../harness/github/server.js';
import { REPO_ROOT, type RunResult, runAction, workspaceWith } from '../harness/runner.js';
import { startWebhookReceiver, type WebhookReceiver } from '../harness/webhook-receiver.js';

const weather = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'), 'utf8');
const [header, ...rows] = weather.trimEnd().split('\n');
const slice = rows.filter((r) => /^201[34]-/.test(r));
const csv = (lines: string[]) => `${header}\n${lines.join('\n')}\n`;
/** temp_max + 5; every 8th day a weather category the reference never saw, named to attack chat markup. */
const HOSTILE = '<!channel> @here *x* `y` \u202Eevil';
const shifted = slice.map((r, i) => {
  const f = r.split(',');
  f[2] = (Number(f[2]) + 5).toFixed(1);
  if (i % 8 === 0) f[5] = 'hail';
  return f.join(',');
});

/** The secret part of the webhook URL: must never be shown. */
const SECRET = 'T0001/B0002/xoxSecretToken42';
let receiver: WebhookReceiver;
let ws: string;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // A column named to attack chat markup, drifting (its values shift with temp_max).
  const withHostile = (text: string) => text.replace(/^date,/, `date,`).replace('temp_max', HOSTILE.replace(/,/g, ''));
  ws = workspaceWith({ 'reference.csv': withHostile(weather), 'later.csv': withHostile(csv(slice)), 'shifted.csv': withHostile(csv(shifted)) });
  const r = await runAction('validate-data', { data: 'reference.csv', profile: 'profile.json', report: 'vd.json' }, { workspace: ws });
  expect(r.exitCode, r.stdout).toBe(0);
}, 300_000);
afterAll(async () => {
  await receiver?.stop();
});

const check = (current: string, hook: string, more: Record<string, string> = {}) =>
  runAction('drift-check', { reference: 'profile.json', current, 'drift-share': '0.3', 'time-column': 'date', model: 'weather', webhook: `${receiver.url}/${hook}/${SECRET}`, ...more }, { workspace: ws, env: { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'octo/ml', GITHUB_RUN_ID: '42' } });
const bodiesTo = (hook: string) => receiver.received.filter((r) => r.path === `/${hook}/${SECRET}`).map((r) => JSON.parse(r.body) as Record<string, unknown>);

/** The secret appears only in the runner's ::add-mask:: command, nowhere the user would read. */
function expectMasked(r: RunResult, workspace = ws) {
  const lines = r.stdout.split('\n').filter((l) => l.includes(SECRET));
  expect(lines).toEqual([`::add-mask::${receiver.url}/${lines[0]?.split('/')[3]}/${SECRET}`]);
  for (const text of [r.stderr, r.summary, JSON.stringify(r.outputs), JSON.stringify(r.annotations), fs.readFileSync(path.join(workspace, '.mlops/drift-report.json'), 'utf8'), fs.readFileSync(path.join(workspace, '.mlops/drift-report.md'), 'utf8')]) {
    expect(text).not.toContain(SECRET);
  }
}

/** `value`'s structure where `doc` has one: object keys, JSON types; array elements both have. */
function shapeOf(value: unknown, doc: unknown): unknown {
  if (Array.isArray(doc)) return Array.isArray(value) ? doc.slice(0, value.length).map((d, i) => shapeOf(value[i], d)) : typeof value;
  if (doc && typeof doc === 'object') {
    if (!value || typeof value !== 'object') return typeof value;
    return Object.fromEntries(Object.keys({ ...doc, ...value }).sort().map((k) => [k, k in doc ? shapeOf((value as Record<string, unknown>)[k], (doc as Record<string, unknown>)[k]) : 'undocumented']));
  }
  return value === null ? 'null' : typeof value;
}

describe('drift-check webhook', () => {
  it('slack: Block Kit blocks with the verdict, the drifted columns escaped, links to the run', async () => {
    const r = await check('shifted.csv', 'slack', { 'fail-on': 'never' });
    expect(r.exitCode, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ status: 'drift', 'webhook-sent': 'true' });
    const [body] = bodiesTo('slack');
    expect(bodiesTo('slack')).toHaveLength(1);
    expect(receiver.received.find((q) => q.path.startsWith('/slack/'))!.headers['content-type']).toBe('application/json; charset=utf-8');
    const blocks = body!.blocks as { type: string; text?: { type: string; text: string }; elements?: { type: string; text: string }[] }[];
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(blocks[0]!.text).toEqual({ type: 'plain_text', text: ':red_circle: drift-check: weather: drift', emoji: true });
    expect(blocks[1]!.text!.type).toBe('mrkdwn');
    expect(blocks[1]!.text!.text).toBe('*2 of 5 tested columns drifted (share 0.4 &gt;= 0.3)*');
    const columns = blocks[2]!.text!.text;
    expect(columns).toMatch(/^\*Drifted columns\*\n• `/);
    expect(columns).toContain('• `weather` jensenshannon');
    // The hostile column name: no <!channel>, no @here mention, no backtick breaking out, the bidi override visible.
    expect(columns).toContain('`&lt;!channel&gt; @\u2060here *x* ˋyˋ \\u202Eevil` wasserstein');
    expect(columns).not.toMatch(/<!|\u202E/);
    expect(blocks[3]!.elements![0]).toEqual({ type: 'mrkdwn', text: '<https://github.com/octo/ml/actions/runs/42|Workflow run>' });
    expect(body!.text).toMatch(/^drift-check: weather: drift: /);
    expect(r.summary).toContain(`Webhook (slack) sent to ${receiver.url}: the verdict is drift.`);
    expectMasked(r);
  });

  it('teams: one Adaptive Card 1.4 in a message attachment, the drifted columns as facts', async () => {
    const r = await check('shifted.csv', 'teams', { 'webhook-format': 'teams', 'fail-on': 'never' });
    expect(r.outputs).toMatchObject({ status: 'drift', 'webhook-sent': 'true' });
    const [body] = bodiesTo('teams');
    expect(body).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null }] });
    const card = (body!.attachments as { content: Record<string, unknown> }[])[0]!.content;
    expect(card).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4' });
    const blocks = card.body as { type: string; text?: string; color?: string; facts?: { title: string; value: string }[] }[];
    expect(blocks.map((b) => b.type)).toEqual(['TextBlock', 'TextBlock', 'TextBlock', 'FactSet']);
    expect(blocks[0]).toMatchObject({ text: 'drift-check: weather: drift', color: 'Attention', weight: 'Bolder' });
    expect(blocks[1]).toMatchObject({ text: '2 of 5 tested columns drifted (share 0.4 >= 0.3)' });
    const facts = blocks[3]!.facts!;
    expect(facts.map((f) => f.title)).toEqual(expect.arrayContaining(['weather', '<!channel> @here \\*x\\* \\`y\\` \\\\u202Eevil']));
    expect(facts.find((f) => f.title === 'weather')!.value).toMatch(/^jensenshannon 0\.\d+ \(drift when jensenshannon >= 0\.1\)$/);
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Workflow run', url: 'https://github.com/octo/ml/actions/runs/42' }]);
    expectMasked(r);
    // docs/drift.md shows the exact shape: the same keys, value types and element types.
    const documented = JSON.parse(/`teams`:[\s\S]*?```json\n([\s\S]*?)```/.exec(fs.readFileSync(path.join(REPO_ROOT, 'docs/drift.md'), 'utf8'))![1]!.replace(/^ {4}/gm, ''));
    expect(shapeOf(body, documented)).toEqual(shapeOf(documented, body));
  });

  it('json: the versioned drift-alert summary with the link, parsed by its schema', async () => {
    const r = await check('shifted.csv', 'json', { 'webhook-format': 'json', 'fail-on': 'never' });
    expect(r.outputs['webhook-sent']).toBe('true');
    const alert = driftAlertSchema.parse(bodiesTo('json')[0]);
    expect(alert).toMatchObject({ schemaVersion: 1, kind: 'mlops/drift-alert', model: 'weather', status: 'drift', change: null, driftShare: 0.4, tested: 5, basis: 'fixed bins', run: 'https://github.com/octo/ml/actions/runs/42', issue: null });
    expect(alert.drifted.map((c) => c.column).sort()).toEqual([HOSTILE.replace(/,/g, ''), 'weather'].sort());
  });

  it('no drift: nothing sent (webhook-on: drift), webhook-on: always sends the ok', async () => {
    const before = receiver.received.length;
    const quiet = await check('later.csv', 'quiet');
    expect(quiet.outputs).toMatchObject({ status: 'ok', 'webhook-sent': 'false' });
    expect(quiet.summary).toContain('Webhook not sent: the verdict is ok (webhook-on: drift).');
    expect(receiver.received.length).toBe(before);
    const always = await check('later.csv', 'quiet', { 'webhook-on': 'always', 'webhook-format': 'json' });
    expect(always.outputs['webhook-sent']).toBe('true');
    expect(bodiesTo('quiet')).toMatchObject([{ status: 'ok', drifted: [] }]);
  });

  it('retried on 503 and 429 with Retry-After, then delivered', async () => {
    receiver.on(`/flaky/${SECRET}`, (n) => (n === 1 ? { status: 503, body: 'busy' } : n === 2 ? { status: 429, body: 'slow down', headers: { 'retry-after': '1' } } : { status: 200, body: 'ok' }));
    const r = await check('shifted.csv', 'flaky', { 'fail-on': 'never' });
    expect(r.outputs['webhook-sent']).toBe('true');
    expect(bodiesTo('flaky')).toHaveLength(3);
    expect(r.stdout).toMatch(/webhook \(slack\) to http:\/\/127\.0\.0\.1:\d+: HTTP 503; retrying in/);
    expect(r.stdout).toMatch(/HTTP 429; retrying in (1\.\d|[2-9]\.\d) s/); // Retry-After: 1 honoured
    expect(r.annotations.filter((a) => a.title === 'drift-check: not delivered')).toEqual([]);
    expectMasked(r);
  }, 120_000);

  it('a receiver that always fails: a warning; the verdict, the outputs and the exit status per fail-on stand', async () => {
    receiver.on(`/down/${SECRET}`, () => ({ status: 500, body: 'internal error' }));
    const r = await check('shifted.csv', 'down');
    expect(bodiesTo('down')).toHaveLength(4);
    expect(r.exitCode).toBe(1); // fail-on: drift, as without a webhook
    expect(r.outputs).toMatchObject({ status: 'drift', drifted: 'true', 'webhook-sent': 'false' });
    const warning = r.annotations.find((a) => a.title === 'drift-check: not delivered')!;
    expect(warning).toMatchObject({ level: 'warning' });
    expect(warning.message).toBe(`the slack webhook to ${receiver.url} failed: HTTP 500 internal error (after 4 attempts); the verdict and outputs stand`);
    expect(r.annotations.some((a) => a.level === 'error' && /drift-check: drift .*fail-on: drift/.test(a.message))).toBe(true);
    expectMasked(r);

    // Nobody listening (connection refused): the same warning, exit 0 with fail-on: never.
    const closed = await runAction('drift-check', { reference: 'profile.json', current: 'shifted.csv', 'drift-share': '0.3', 'time-column': 'date', 'fail-on': 'never', webhook: `http://127.0.0.1:9/${SECRET}` }, { workspace: ws });
    expect(closed.exitCode).toBe(0);
    expect(closed.annotations.find((a) => a.title === 'drift-check: not delivered')!.message).toMatch(/^the slack webhook to http:\/\/127\.0\.0\.1:9 failed: .*ECONNREFUSED.*\(after 4 attempts\); the verdict and outputs stand$/);
    expect(closed.stdout.split('\n').filter((l) => l.includes(SECRET))).toEqual([`::add-mask::http://127.0.0.1:9/${SECRET}`]);
  }, 120_000);

  it('not a URL: a UserError that does not repeat the value', async () => {
    const r = await runAction('drift-check', { reference: 'profile.json', current: 'later.csv', webhook: `hooks.example/${SECRET}` }, { workspace: ws });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]!.message).toMatch(/^the webhook is not a URL \(its value is not shown: it is a secret\) \(input `webhook`\)\nFix: /);
    expect(r.stdout.split('\n').filter((l) => l.includes(SECRET))).toEqual([`::add-mask::hooks.example/${SECRET}`]);
  });
});

describe('drift-check webhook with the drift issue (the previous state known)', () => {
  let fake: GitHubFake;
  beforeAll(async () => {
    fake = await startGitHubFake();
  });
  afterAll(async () => {
    expect(fake.violations()).toEqual([]);
    await fake.stop();
  });

  it('sends when the drift starts and when it recovers, not while it lasts', async () => {
    const run = (current: string) =>
      runAction('drift-check', { reference: 'profile.json', current, 'drift-share': '0.3', 'time-column': 'date', 'fail-on': 'never', model: 'tracked', issue: 'true', 'github-token': fake.token, webhook: `${receiver.url}/tracked/${SECRET}`, 'webhook-format': 'json' }, { workspace: ws, env: fake.env() });
    const started = await run('shifted.csv');
    expect(started.outputs).toMatchObject({ status: 'drift', 'webhook-sent': 'true' });
    const lasts = await run('shifted.csv');
    expect(lasts.outputs).toMatchObject({ status: 'drift', 'webhook-sent': 'false' });
    expect(lasts.summary).toContain('Webhook not sent: the drift continues');
    const recovered = await run('later.csv');
    expect(recovered.outputs).toMatchObject({ status: 'ok', 'webhook-sent': 'true' });
    const sent = bodiesTo('tracked').map((b) => driftAlertSchema.parse(b));
    expect(sent.map((a) => [a.status, a.change])).toEqual([['drift', 'started'], ['ok', 'recovered']]);
    expect(sent[0]!.issue).toBe(started.outputs['issue-url']);
    expect(sent[1]!.issue).toBe(started.outputs['issue-url']);
  }, 300_000);
});

describe('workflows-examples/monitor.yml', () => {
  let fake: GitHubFake;
  beforeAll(async () => {
    fake = await startGitHubFake();
  });
  afterAll(async () => {
    expect(fake.violations()).toEqual([]);
    await fake.stop();
  });

  it('its steps run as written: the Slack secret set, the Pushgateway variable unset', async () => {
    const workflow = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'workflows-examples/monitor.yml'), 'utf8')) as { jobs: { drift: { steps: { id?: string; uses: string; with?: Record<string, string> }[] } } };
    const site = workspaceWith({});
    fs.cpSync(path.join(REPO_ROOT, 'examples/weather/data'), path.join(site, 'examples/weather/data'), { recursive: true });
    const context: Record<string, string> = { 'secrets.SLACK_WEBHOOK_URL': `${receiver.url}/monitor/${SECRET}`, 'vars.PUSHGATEWAY_URL': '', 'vars.PROMETHEUS_URL': '' };
    const value = (name: string) => context[name] ?? expect.fail(`unexpected expression ${name}`);
    // `${{ name }}` and `${{ name && 'a' || 'b' }}`, as GitHub evaluates them.
    const expr = (v: string) =>
      v
        .replace(/\$\{\{\s*([\w.]+)\s*&&\s*'([^']*)'\s*\|\|\s*'([^']*)'\s*\}\}/g, (_, name: string, a: string, b: string) => (value(name) ? a : b))
        .replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => value(name));
    let drift: RunResult | undefined;
    for (const step of workflow.jobs.drift.steps) {
      const local = /^\.\/actions\/([\w-]+)$/.exec(step.uses);
      if (!local) continue; // checkout, upload-artifact
      const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expr(String(v))]));
      const r = await runAction(local[1]!, { ...inputs, ...(local[1] === 'drift-check' ? { 'github-token': fake.token } : {}) }, { workspace: site, env: fake.env() });
      expect(r.exitCode, r.stdout).toBe(0);
      if (step.id === 'drift') drift = r;
    }
    expect(drift!.outputs.status).toBe('drift');
    expect(drift!.outputs['webhook-sent']).toBe('true');
    const [sent] = bodiesTo('monitor');
    expect((sent!.blocks as { type: string }[])[0]).toMatchObject({ type: 'header', text: { text: ':red_circle: drift-check: weather: drift' } });
    expect(fs.readFileSync(path.join(site, '.mlops/drift.prom'), 'utf8')).toMatch(/^mlops_drift_detected\{model="weather"\} 1$/m);
    expect(drift!.summary).not.toContain('Pushgateway');
    expectMasked(drift!, site);
  }, 300_000);
});
