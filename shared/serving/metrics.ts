/**
 * A small Prometheus registry and the text exposition format 0.0.4, written by hand (no
 * dependency): counters, gauges, histograms and sum/count summaries, each series keyed by its
 * label values, every series carrying the registry's constant labels.
 */

import { categoryKey, type FeatureBins, OTHER_CATEGORY } from '../drift/feature-bins.js';
import { binOfKey, valueKey } from '../stats/coarse-bins.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Record<string, string>;

/** One series of a metric, its labels looked up once (see `labels()`): the request path keeps these. */
export interface CounterSeries {
  inc(by?: number): void;
}
export interface GaugeSeries {
  min(value: number): void;
  max(value: number): void;
}
export interface HistogramSeries {
  observe(value: number): void;
}
export interface SummarySeries {
  observeMany(sum: number, count: number): void;
}

/** Label values escape backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function renderLabels(pairs: [string, string][]): string {
  return pairs.length ? `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}` : '';
}

abstract class Metric<S> {
  protected readonly series = new Map<string, { labels: [string, string][]; state: S }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram' | 'summary',
    private readonly labelNames: readonly string[],
    private readonly constLabels: [string, string][],
  ) {}

  protected abstract fresh(): S;
  protected abstract lines(labels: [string, string][], state: S): string[];

  /** Create a series now, so it is exposed (at zero) before its first observation. */
  init(labels: Labels = {}): void {
    this.get(labels);
  }

  protected get(labels: Labels): S {
    const values = this.labelNames.map((n) => labels[n] ?? '');
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { labels: [...this.constLabels, ...this.labelNames.map((n, i): [string, string] => [n, values[i]!])], state: this.fresh() };
      this.series.set(key, s);
    }
    return s.state;
  }

  render(): string {
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const s of this.series.values()) out.push(...this.lines(s.labels, s.state));
    return out.join('\n');
  }
}

export class Counter extends Metric<{ value: number }> {
  protected fresh() {
    return { value: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    this.get(labels).value += by;
  }
  /** The series of `labels`, looked up once (the hot path keeps it instead of the labels). */
  labels(labels: Labels = {}): CounterSeries {
    const s = this.get(labels);
    return { inc: (by = 1) => void (s.value += by) };
  }
  /** For totals kept elsewhere and read at scrape time (CPU seconds). */
  setTotal(labels: Labels, value: number): void {
    this.get(labels).value = value;
  }
  protected lines(labels: [string, string][], s: { value: number }) {
    return [`${this.name}${renderLabels(labels)} ${formatValue(s.value)}`];
  }
}

export class Gauge extends Metric<{ value: number }> {
  protected fresh() {
    return { value: NaN };
  }
  set(labels: Labels, value: number): void {
    this.get(labels).value = value;
  }
  /** Keep the smallest (or largest) value seen. */
  min(labels: Labels, value: number): void {
    const s = this.get(labels);
    if (!(s.value <= value)) s.value = value;
  }
  max(labels: Labels, value: number): void {
    const s = this.get(labels);
    if (!(s.value >= value)) s.value = value;
  }
  /** The series of `labels`, looked up once. */
  labels(labels: Labels = {}): GaugeSeries {
    const s = this.get(labels);
    return {
      min: (value) => void (s.value <= value || (s.value = value)),
      max: (value) => void (s.value >= value || (s.value = value)),
    };
  }
  protected lines(labels: [string, string][], s: { value: number }) {
    return [`${this.name}${renderLabels(labels)} ${formatValue(s.value)}`];
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramState> {
  readonly buckets: number[];
  constructor(name: string, help: string, labelNames: readonly string[], constLabels: [string, string][], buckets: readonly number[]) {
    super(name, help, 'histogram', labelNames, constLabels);
    this.buckets = [...new Set(buckets)].sort((a, b) => a - b).filter((b) => b !== Infinity);
  }
  protected fresh(): HistogramState {
    return { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
  }
  observe(labels: Labels, value: number): void {
    this.add(this.get(labels), value);
  }
  /** The series of `labels`, looked up once. */
  labels(labels: Labels = {}): HistogramSeries {
    const s = this.get(labels);
    return { observe: (value) => this.add(s, value) };
  }
  private add(s: HistogramState, value: number): void {
    if (Number.isNaN(value)) return;
    // Counts per bucket, made cumulative when rendered.
    const b = this.buckets;
    let i = 0;
    while (i < b.length && !(value <= b[i]!)) i++;
    if (i < b.length) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }
  protected lines(labels: [string, string][], s: HistogramState) {
    const out: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += s.counts[i]!;
      out.push(`${this.name}_bucket${renderLabels([...labels, ['le', formatValue(b)]])} ${cumulative}`);
    });
    out.push(`${this.name}_bucket${renderLabels([...labels, ['le', '+Inf']])} ${s.count}`);
    out.push(`${this.name}_sum${renderLabels(labels)} ${formatValue(s.sum)}`);
    out.push(`${this.name}_count${renderLabels(labels)} ${s.count}`);
    return out;
  }
}

/** A summary without quantiles: `_sum` and `_count`. */
export class Summary extends Metric<{ sum: number; count: number }> {
  protected fresh() {
    return { sum: 0, count: 0 };
  }
  observe(labels: Labels, value: number): void {
    this.observeMany(labels, value, 1);
  }
  observeMany(labels: Labels, sum: number, count: number): void {
    const s = this.get(labels);
    s.sum += sum;
    s.count += count;
  }
  /** The series of `labels`, looked up once. */
  labels(labels: Labels = {}): SummarySeries {
    const s = this.get(labels);
    return {
      observeMany: (sum, count) => {
        s.sum += sum;
        s.count += count;
      },
    };
  }
  protected lines(labels: [string, string][], s: { sum: number; count: number }) {
    return [`${this.name}_sum${renderLabels(labels)} ${formatValue(s.sum)}`, `${this.name}_count${renderLabels(labels)} ${s.count}`];
  }
}

export class Registry {
  private readonly metrics: { name: string; render(): string }[] = [];
  private readonly collectors: (() => void)[] = [];
  private readonly constLabels: [string, string][];

  constructor(constLabels: Labels = {}) {
    this.constLabels = Object.entries(constLabels);
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, 'counter', labelNames, this.constLabels));
  }
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.add(new Gauge(name, help, 'gauge', labelNames, this.constLabels));
  }
  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    return this.add(new Histogram(name, help, labelNames, this.constLabels, buckets));
  }
  summary(name: string, help: string, labelNames: readonly string[] = []): Summary {
    return this.add(new Summary(name, help, 'summary', labelNames, this.constLabels));
  }

  /** Called before each exposition (values read at scrape time: memory, uptime). */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  expose(): string {
    for (const c of this.collectors) c();
    return this.metrics.map((m) => m.render()).join('\n') + '\n';
  }

  private add<M extends { name: string; render(): string }>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
}

export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
export const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

/**
 * A feature's counters over the reference profile's bins (shared/drift/feature-bins.ts), every
 * series created at start so `increase()` sees it from zero.
 */
type BinCounters =
  | { kind: 'numeric'; upperKeys: readonly number[]; series: CounterSeries[] }
  | { kind: 'categorical'; categories: Map<string, CounterSeries>; other: CounterSeries; numericKeys: boolean };

/** One feature value (a row's element of an input); numbers are summarised, the rest counted. */
export type FeatureValue = number | bigint | string | boolean | null;

/** The model server's metrics, all named mlops_* and labelled with model_name and model_version. */
export class ServingMetrics {
  readonly registry: Registry;
  private readonly requests: Counter;
  private readonly latency: Histogram;
  private readonly inFlight: Gauge;
  private readonly batchSize: Histogram;
  private readonly inference: Histogram;
  private readonly inferenceRows: Counter;
  private readonly loadSeconds: Gauge;
  private readonly ready: Gauge;
  private readonly predictedClass: Counter;
  private predictedValue: Histogram | null = null;
  private readonly feature: Summary;
  private readonly featureMin: Gauge;
  private readonly featureMax: Gauge;
  private readonly featureMissing: Counter;
  private inFlightCount = 0;
  // The series the request path updates, each looked up once (a label lookup per update costs more than the update).
  private readonly endpoints = new Map<string, { latency: HistogramSeries; codes: Map<number, CounterSeries> }>();
  private readonly classes = new Map<string, CounterSeries>();
  private readonly features = new Map<string, { missing?: CounterSeries; summary?: SummarySeries; range?: { min: GaugeSeries; max: GaugeSeries } }>();
  private readonly run: { batchSize: HistogramSeries; inference: HistogramSeries; rows: CounterSeries };
  private predictedValueSeries: HistogramSeries | null = null;
  private readonly binned = new Map<string, BinCounters>();

  constructor(model: { name: string; version: string }) {
    const r = (this.registry = new Registry({ model_name: model.name, model_version: model.version }));
    this.requests = r.counter('mlops_http_requests_total', 'HTTP requests by endpoint and status code.', ['endpoint', 'code']);
    this.latency = r.histogram('mlops_http_request_duration_seconds', 'HTTP request latency in seconds, by endpoint.', LATENCY_BUCKETS, ['endpoint']);
    this.inFlight = r.gauge('mlops_http_requests_in_flight', 'HTTP requests being served.');
    this.batchSize = r.histogram('mlops_inference_batch_size', 'Rows per model run (more than a request holds when dynamic batching merges requests).', BATCH_BUCKETS);
    this.inference = r.histogram('mlops_inference_duration_seconds', 'Time of one model run in seconds.', LATENCY_BUCKETS);
    this.inferenceRows = r.counter('mlops_inference_rows_total', 'Rows predicted.');
    this.loadSeconds = r.gauge('mlops_model_load_seconds', 'Time to load the model in seconds.');
    this.ready = r.gauge('mlops_model_ready', '1 when the model is loaded and the server accepts traffic, else 0.');
    this.predictedClass = r.counter('mlops_predictions_total', 'Predicted rows by predicted class (classification).', ['class']);
    this.feature = r.summary('mlops_input_feature', 'Sum and count of each numeric input feature (non-missing values).', ['feature']);
    this.featureMin = r.gauge('mlops_input_feature_min', 'Smallest value seen of each numeric input feature.', ['feature']);
    this.featureMax = r.gauge('mlops_input_feature_max', 'Largest value seen of each numeric input feature.', ['feature']);
    this.featureMissing = r.counter('mlops_input_feature_missing_total', 'Missing (NaN or null) values of each input feature.', ['feature']);
    const memory = r.gauge('mlops_process_resident_memory_bytes', 'Resident memory size in bytes.');
    const heap = r.gauge('mlops_process_heap_used_bytes', 'V8 heap in use in bytes.');
    const uptime = r.gauge('mlops_process_uptime_seconds', 'Seconds since the process started.');
    const start = r.gauge('mlops_process_start_time_seconds', 'Start time of the process since the Unix epoch in seconds.');
    const cpu = r.counter('mlops_process_cpu_seconds_total', 'User and system CPU time spent in seconds.');
    const startedAt = Date.now() / 1000 - process.uptime();
    r.onCollect(() => {
      const m = process.memoryUsage();
      memory.set({}, m.rss);
      heap.set({}, m.heapUsed);
      uptime.set({}, process.uptime());
      start.set({}, Math.round(startedAt * 1000) / 1000);
      const c = process.cpuUsage();
      cpu.setTotal({}, (c.user + c.system) / 1e6);
      this.inFlight.set({}, this.inFlightCount);
    });
    this.ready.set({}, 0);
    this.run = { batchSize: this.batchSize.labels(), inference: this.inference.labels(), rows: this.inferenceRows.labels() };
  }

  requestStarted(): void {
    this.inFlightCount++;
  }

  requestFinished(endpoint: string, code: number, seconds: number): void {
    this.inFlightCount--;
    let e = this.endpoints.get(endpoint);
    if (!e) this.endpoints.set(endpoint, (e = { latency: this.latency.labels({ endpoint }), codes: new Map() }));
    let requests = e.codes.get(code);
    if (!requests) e.codes.set(code, (requests = this.requests.labels({ endpoint, code: String(code) })));
    requests.inc();
    e.latency.observe(seconds);
  }

  modelRun(rows: number, seconds: number): void {
    this.run.batchSize.observe(rows);
    this.run.inference.observe(seconds);
    this.run.rows.inc(rows);
  }

  /** The prediction histogram needs the model's range, known once it is loaded. */
  modelLoaded(seconds: number, model: { task: string; valueBuckets: readonly number[] }): void {
    this.loadSeconds.set({}, seconds);
    if (model.task === 'regression' && !this.predictedValue) {
      this.predictedValue = this.registry.histogram('mlops_prediction_value', 'Predicted values (regression).', model.valueBuckets);
      this.predictedValue.init();
      this.predictedValueSeries = this.predictedValue.labels();
    }
  }

  setReady(ready: boolean): void {
    this.ready.set({}, ready ? 1 : 0);
  }

  predictedLabel(label: string): void {
    let c = this.classes.get(label);
    if (!c) this.classes.set(label, (c = this.predictedClass.labels({ class: label })));
    c.inc();
  }

  predictedNumber(value: number): void {
    this.predictedValueSeries?.observe(value);
  }

  /** Counters over the reference profile's bins, for the features the model reads (docs/drift.md). */
  referenceBins(features: ReadonlyMap<string, FeatureBins>): void {
    if (features.size === 0) return;
    const bin = this.registry.counter('mlops_feature_bin_total', 'Values of each numeric input feature per bin of the reference profile (label bin: the upper edge; +Inf above the reference).', ['feature', 'bin']);
    const category = this.registry.counter('mlops_feature_category_total', 'Values of each categorical input feature per category of the reference profile (__other__: any other).', ['feature', 'category']);
    for (const [feature, b] of features) {
      if (b.kind === 'numeric') {
        this.binned.set(feature, { kind: 'numeric', upperKeys: b.bins.upperKeys, series: b.bins.bins.map((x) => bin.labels({ feature, bin: x.label })) });
      } else {
        const categories = new Map(b.categories.filter((c) => c !== OTHER_CATEGORY).map((c) => [c, category.labels({ feature, category: c })]));
        this.binned.set(feature, { kind: 'categorical', categories, other: category.labels({ feature, category: OTHER_CATEGORY }), numericKeys: b.numericKeys });
      }
    }
  }

  /** One input feature's values of a request. */
  featureValues(feature: string, values: ArrayLike<FeatureValue>): void {
    const binned = this.binned.get(feature);
    if (binned) countBins(binned, values);
    let sum = 0;
    let count = 0;
    let missing = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let numeric = false;
    for (let i = 0; i < values.length; i++) {
      const raw = values[i];
      if (raw === null || (typeof raw === 'number' && Number.isNaN(raw))) {
        missing++;
        continue;
      }
      if (typeof raw !== 'number' && typeof raw !== 'bigint') continue;
      numeric = true;
      const v = Number(raw);
      sum += v;
      count++;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!missing && !numeric) return;
    // A feature's series appear once it has a missing value (or a number): none sit at zero before.
    let f = this.features.get(feature);
    if (!f) this.features.set(feature, (f = {}));
    if (missing) (f.missing ??= this.featureMissing.labels({ feature })).inc(missing);
    if (!numeric) return;
    (f.summary ??= this.feature.labels({ feature })).observeMany(sum, count);
    (f.range ??= { min: this.featureMin.labels({ feature }), max: this.featureMax.labels({ feature }) });
    f.range.min.min(lo);
    f.range.max.max(hi);
  }

  expose(): string {
    return this.registry.expose();
  }
}

/** Count a request's values into a feature's bins: a binary search over the edges per number. */
function countBins(b: BinCounters, values: ArrayLike<FeatureValue>): void {
  for (let i = 0; i < values.length; i++) {
    const raw = values[i];
    if (raw === null || raw === undefined) continue;
    if (b.kind === 'numeric') {
      if (typeof raw !== 'number' && typeof raw !== 'bigint') continue;
      const v = Number(raw);
      if (Number.isFinite(v)) b.series[binOfKey(b.upperKeys, valueKey(v))]!.inc();
    } else if (typeof raw !== 'number' || !Number.isNaN(raw)) {
      (b.categories.get(categoryKey(raw, b.numericKeys)) ?? b.other).inc();
    }
  }
}
