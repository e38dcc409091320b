import fs from 'node:fs';
import path from 'node:path';
import { prometheusClient } from '../../shared/monitor/prometheus.js';
import { type RunningServer, startServer } from './server.js';
import { tempDir } from './temp.js';

/** One scrape target: `url` is the base URL of a server exposing `/metrics`. */
export interface ScrapeTarget {
  url: string;
  /** Extra target labels (e.g. `{ track: 'canary' }`), as a file_sd target group carries them. */
  labels?: Record<string, string>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface RunningPrometheus extends RunningServer {
  /** The directory holding prometheus.yml, the targets file, the rule files and the TSDB. */
  dir: string;
  /** Replace the scraped targets (file_sd: Prometheus picks the file up within a second or so). */
  setTargets(targets: ScrapeTarget[]): void;
  /** An instant query through the HTTP API; a PromQL error throws with Prometheus's message. */
  query(promql: string): Promise<PromSample[]>;
  /** Poll an instant query until it returns at least one sample passing `accept` (default: any). */
  waitFor(promql: string, accept?: (samples: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Wait until every target in the targets file has been scraped successfully (up == 1). */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
}

export interface PrometheusOptions {
  targets?: ScrapeTarget[];
  /** Default 1s: the tests want data fast. */
  scrapeInterval?: string;
  /** Rule files' contents (alerting/recording rules), evaluated every scrape interval. */
  rules?: string[];
  /** Extra scrape configs as YAML text appended under scrape_configs (e.g. a pushgateway job). */
  extraScrapeConfigs?: string;
}

/**
 * A real Prometheus server (Debian's `prometheus`, installed by scripts/install-services.sh) on
 * 127.0.0.1 with its own TSDB in a temp dir. Targets come from a file_sd file so a test can add
 * servers after the start (job `model-server`; each target's labels are kept). Stop it by PID
 * with stop().
 */
export async function startPrometheus(opts: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = tempDir('prometheus-');
  const interval = opts.scrapeInterval ?? '1s';
  const targetsFile = path.join(dir, 'targets.json');
  const setTargets = (targets: ScrapeTarget[]) => {
    const groups = targets.map((t) => ({ targets: [new URL(t.url).host], labels: t.labels ?? {} }));
    const tmp = `${targetsFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(groups));
    fs.renameSync(tmp, targetsFile);
  };
  setTargets(opts.targets ?? []);
  const ruleFiles = (opts.rules ?? []).map((text, i) => {
    const file = path.join(dir, `rules-${i}.yml`);
    fs.writeFileSync(file, text);
    return file;
  });
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    ruleFiles.length ? `rule_files:\n${ruleFiles.map((f) => `  - ${JSON.stringify(f)}`).join('\n')}` : '',
    'scrape_configs:',
    '  - job_name: model-server',
    '    file_sd_configs:',
    `      - files: [${JSON.stringify(targetsFile)}]`,
    '        refresh_interval: 1s',
    opts.extraScrapeConfigs ?? '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const server = await startServer({
    command: 'prometheus',
    args: [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:{port}',
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    readyPath: '/-/ready',
    timeoutMs: 60_000,
  });
  // The product's own client (shared/monitor/prometheus.ts), its labels named as the API names them.
  const client = prometheusClient({ url: server.url, retry: { attempts: 1 } });
  const query = async (promql: string): Promise<PromSample[]> => (await client.query(promql)).map((s) => ({ metric: s.labels, value: s.value }));
  const waitFor = async (promql: string, accept = (s: PromSample[]) => s.length > 0, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const samples = await query(promql);
      if (accept(samples)) return samples;
      if (Date.now() > deadline) throw new Error(`Prometheus: ${promql} did not return the expected samples within ${timeoutMs} ms; last: ${JSON.stringify(samples)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const waitForTargetsUp = async (timeoutMs = 60_000) => {
    const wanted = JSON.parse(fs.readFileSync(targetsFile, 'utf8')).length as number;
    await waitFor('up{job="model-server"} == 1', (s) => s.length >= wanted, timeoutMs);
  };
  return { ...server, dir, setTargets, query, waitFor, waitForTargetsUp };
}

/** A real Pushgateway (Debian's `prometheus-pushgateway`) on 127.0.0.1, stopped by PID. */
export async function startPushgateway(): Promise<RunningServer> {
  return startServer({
    command: 'prometheus-pushgateway',
    args: ['--web.listen-address=127.0.0.1:{port}', '--log.level=warn'],
    readyPath: '/-/ready',
    timeoutMs: 30_000,
  });
}
