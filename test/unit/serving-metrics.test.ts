import { describe, expect, it } from 'vitest';
import { Registry, ServingMetrics, escapeLabelValue, formatValue } from '../../shared/serving/metrics.js';

describe('Prometheus text exposition', () => {
  it.each([
    ['plain', 'plain'],
    ['say "hi"', 'say \\"hi\\"'],
    ['C:\\path', 'C:\\\\path'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
  ])('escapes the label value %j', (raw, escaped) => {
    expect(escapeLabelValue(raw)).toBe(escaped);
  });

  it.each([
    [1, '1'],
    [0.25, '0.25'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [1e-7, '1e-7'],
  ])('formats %d as %s', (v, text) => {
    expect(formatValue(v)).toBe(text);
  });

  it('writes HELP, TYPE and samples with constant labels first; histograms cumulative with +Inf, _sum and _count', () => {
    const r = new Registry({ model_name: 'w"x', model_version: '1' });
    const c = r.counter('t_requests_total', 'Requests.\nBy code \\ endpoint.', ['code']);
    c.inc({ code: '200' });
    c.inc({ code: '200' }, 2);
    c.inc({ code: '400' });
    const h = r.histogram('t_latency_seconds', 'Latency.', [0.5, 0.1, 1]);
    for (const v of [0.05, 0.1, 0.3, 0.7, 3, NaN]) h.observe({}, v);
    const s = r.summary('t_feature', 'Feature.', ['feature']);
    s.observeMany({ feature: 'wind' }, 10.5, 3);
    const g = r.gauge('t_min', 'Min.', ['feature']);
    g.min({ feature: 'wind' }, 3);
    g.min({ feature: 'wind' }, 1.5);
    g.min({ feature: 'wind' }, 2);
    r.gauge('t_empty', 'Never set.');
    expect(r.expose()).toBe(
      [
        '# HELP t_requests_total Requests.\\nBy code \\\\ endpoint.',
        '# TYPE t_requests_total counter',
        't_requests_total{model_name="w\\"x",model_version="1",code="200"} 3',
        't_requests_total{model_name="w\\"x",model_version="1",code="400"} 1',
        '# HELP t_latency_seconds Latency.',
        '# TYPE t_latency_seconds histogram',
        't_latency_seconds_bucket{model_name="w\\"x",model_version="1",le="0.1"} 2',
        't_latency_seconds_bucket{model_name="w\\"x",model_version="1",le="0.5"} 3',
        't_latency_seconds_bucket{model_name="w\\"x",model_version="1",le="1"} 4',
        't_latency_seconds_bucket{model_name="w\\"x",model_version="1",le="+Inf"} 5',
        't_latency_seconds_sum{model_name="w\\"x",model_version="1"} 4.15',
        't_latency_seconds_count{model_name="w\\"x",model_version="1"} 5',
        '# HELP t_feature Feature.',
        '# TYPE t_feature summary',
        't_feature_sum{model_name="w\\"x",model_version="1",feature="wind"} 10.5',
        't_feature_count{model_name="w\\"x",model_version="1",feature="wind"} 3',
        '# HELP t_min Min.',
        '# TYPE t_min gauge',
        't_min{model_name="w\\"x",model_version="1",feature="wind"} 1.5',
        '# HELP t_empty Never set.',
        '# TYPE t_empty gauge',
        '',
      ].join('\n'),
    );
  });

  it('refuses a metric name registered twice', () => {
    const r = new Registry();
    r.counter('x_total', 'x');
    expect(() => r.gauge('x_total', 'x')).toThrow(/registered twice/);
  });
});

describe('series held by labels()', () => {
  it('expose exactly what the same updates by label values expose, in the same order', () => {
    const build = (held: boolean) => {
      const r = new Registry({ model_name: 'm' });
      const c = r.counter('t_total', 'C.', ['code']);
      const h = r.histogram('t_seconds', 'H.', [0.1, 1], ['endpoint']);
      const s = r.summary('t_feature', 'S.', ['feature']);
      const g = r.gauge('t_range', 'G.', ['feature']);
      for (const [code, v] of [['200', 0.05], ['400', 2], ['200', NaN], ['200', 1]] as const) {
        if (held) {
          c.labels({ code }).inc();
          h.labels({ endpoint: '/x' }).observe(v);
          s.labels({ feature: 'wind' }).observeMany(v, 1);
          g.labels({ feature: 'wind' }).min(v);
          g.labels({ feature: 'rain' }).max(v);
        } else {
          c.inc({ code });
          h.observe({ endpoint: '/x' }, v);
          s.observeMany({ feature: 'wind' }, v, 1);
          g.min({ feature: 'wind' }, v);
          g.max({ feature: 'rain' }, v);
        }
      }
      return r.expose();
    };
    expect(build(true)).toBe(build(false));
    expect(build(true)).toContain('t_total{model_name="m",code="200"} 3');
  });
});

describe('ServingMetrics', () => {
  const sample = (text: string, line: string) => text.split('\n').find((l) => l.startsWith(line))?.split(' ').pop();

  it('summarises numeric feature values, counts missing ones, ignores text', () => {
    const m = new ServingMetrics({ name: 'm', version: '2' });
    m.featureValues('wind', Float32Array.from([3, NaN, 1, 7]));
    m.featureValues('wind', [null, 2]);
    m.featureValues('city', ['Seattle', 'Tacoma']);
    m.featureValues('count', BigInt64Array.from([5n, 10n]));
    const text = m.expose();
    const l = (name: string, feature: string) => `${name}{model_name="m",model_version="2",feature="${feature}"}`;
    expect(sample(text, l('mlops_input_feature_sum', 'wind'))).toBe('13');
    expect(sample(text, l('mlops_input_feature_count', 'wind'))).toBe('4');
    expect(sample(text, l('mlops_input_feature_min', 'wind'))).toBe('1');
    expect(sample(text, l('mlops_input_feature_max', 'wind'))).toBe('7');
    expect(sample(text, l('mlops_input_feature_missing_total', 'wind'))).toBe('2');
    expect(sample(text, l('mlops_input_feature_max', 'count'))).toBe('10');
    expect(text).not.toContain('feature="city"');
  });

  it('adds the regression histogram once the model is known, with its buckets', () => {
    const m = new ServingMetrics({ name: 'm', version: '1' });
    expect(m.expose()).not.toContain('mlops_prediction_value');
    m.modelLoaded(0.05, { task: 'regression', valueBuckets: [0, 10] });
    m.predictedNumber(4);
    m.predictedNumber(40);
    const text = m.expose();
    expect(sample(text, 'mlops_prediction_value_bucket{model_name="m",model_version="1",le="10"}')).toBe('1');
    expect(sample(text, 'mlops_prediction_value_bucket{model_name="m",model_version="1",le="+Inf"}')).toBe('2');
    expect(sample(text, 'mlops_model_load_seconds{model_name="m",model_version="1"}')).toBe('0.05');
  });

  it('counts requests by endpoint and code and tracks those in flight', () => {
    const m = new ServingMetrics({ name: 'm', version: '1' });
    m.requestStarted();
    m.requestStarted();
    m.requestFinished('/v2/models/{model}/infer', 200, 0.003);
    const text = m.expose();
    expect(sample(text, 'mlops_http_requests_total{model_name="m",model_version="1",endpoint="/v2/models/{model}/infer",code="200"}')).toBe('1');
    expect(sample(text, 'mlops_http_requests_in_flight{model_name="m",model_version="1"}')).toBe('1');
    expect(sample(text, 'mlops_http_request_duration_seconds_bucket{model_name="m",model_version="1",endpoint="/v2/models/{model}/infer",le="0.0025"}')).toBe('0');
    expect(sample(text, 'mlops_http_request_duration_seconds_bucket{model_name="m",model_version="1",endpoint="/v2/models/{model}/infer",le="0.005"}')).toBe('1');
  });
});
