import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../shared/drift/report.js';
import { takeUrlCredentials } from '../../shared/http/url-credentials.js';
import { driftMetrics, pushgatewayGroup } from '../../shared/monitor/drift-metrics.js';
import { shouldNotify } from '../../shared/monitor/webhook.js';
import { slackEscape } from '../../shared/monitor/webhook-slack.js';
import { teamsEscape } from '../../shared/monitor/webhook-teams.js';

describe('shouldNotify', () => {
  it.each([
    // on, status, change (null: no issue tracking), send
    ['drift', 'drift', null, true],
    ['drift', 'warn', null, false],
    ['drift', 'ok', null, false],
    ['warn', 'warn', null, true],
    ['warn', 'ok', null, false],
    ['always', 'ok', null, true],
    ['drift', 'drift', 'started', true],
    ['drift', 'drift', 'continues', false],
    ['drift', 'warn', 'continues', false],
    ['drift', 'ok', 'recovered', true],
    ['warn', 'warn', 'continues', false],
    ['always', 'drift', 'continues', true],
  ] as const)('webhook-on %s, verdict %s, change %s: send %s', (on, status, change, send) => {
    expect(shouldNotify(on, status, change).send).toBe(send);
  });
});

describe('escaping for chat formats', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<@U123|bob> & co', '&lt;@\u2060U123|bob&gt; &amp; co'],
    ['@here', '@\u2060here'],
    ['a\u202Eb\nc', 'a\\u202Eb\\nc'],
  ])('slack: %j -> %j', (raw, shown) => {
    expect(slackEscape(raw)).toBe(shown);
  });
  it.each([
    ['*bold* _it_', '\\*bold\\* \\_it\\_'],
    ['[link](http://x)', '\\[link\\](http://x)'],
    ['a\u2066b', 'a\\\\u2066b'],
  ])('teams: %j -> %j', (raw, shown) => {
    expect(teamsEscape(raw)).toBe(shown);
  });
});

describe('drift metrics', () => {
  const column = (name: string, test: string | null, value: number | null, drifted: boolean) => ({ column: name, kind: 'numeric', status: value === null ? 'no-data' : 'tested', test, value, drifted });
  const report = {
    status: 'drift',
    driftShare: 0.5,
    columns: [column('a"b', 'wasserstein', 0.31, true), column('c', 'ks', 0.2, false), column('empty', null, null, false)],
  } as unknown as DriftReport;

  it('one score per tested column (none for an untested one: no NaN), the verdict, the share and the time', () => {
    const text = driftMetrics(report, 'm', new Date('2026-01-02T03:04:05Z'));
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'mlops_drift_score{model="m",feature="a\\"b",stat="wasserstein"} 0.31',
      'mlops_drift_score{model="m",feature="c",stat="ks"} 0.2',
      'mlops_drift_feature_detected{model="m",feature="a\\"b"} 1',
      'mlops_drift_feature_detected{model="m",feature="c"} 0',
      'mlops_drift_detected{model="m"} 1',
      'mlops_drift_share{model="m"} 0.5',
      'mlops_drift_last_run_timestamp_seconds{model="m"} 1767323045',
      '',
    ]);
  });

  it.each([
    ['weather', '/metrics/job/drift-check/model/weather'],
    ['team/weather', '/metrics/job/drift-check/model@base64/dGVhbS93ZWF0aGVy'],
    ['', '/metrics/job/drift-check/model@base64/='],
  ])('the Pushgateway group of model %j', (model, pathname) => {
    expect(pushgatewayGroup(new URL('http://pg:9091/'), model).pathname).toBe(pathname);
    expect(pushgatewayGroup(new URL('http://pg:9091/prefix/'), model).pathname).toBe(`/prefix${pathname}`);
  });
});

it('URL credentials become a basic Authorization header and leave the URL', () => {
  const url = new URL('https://us%40er:p%3Ass@hooks.example/x');
  expect(takeUrlCredentials(url)).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  expect(url.href).toBe('https://hooks.example/x');
  expect(takeUrlCredentials(new URL('https://hooks.example/x'))).toBeUndefined();
});
