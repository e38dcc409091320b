/**
 * `current: prometheus`: the live distribution of each feature from the model server's bin
 * counters (mlops_feature_bin_total, mlops_feature_category_total; docs/serving.md), summed over
 * every server the selector matches and taken over the window with `increase()`, on the SAME bins
 * the server derived from the reference profile (shared/drift/feature-bins.ts). No raw data moves.
 */
import crypto from 'node:crypto';
import type { ColumnProfile, Profile } from '../data/profile.js';
import { prometheusClient, type PromSample } from '../monitor/prometheus.js';
import type { Context } from '../runtime/context.js';
import { UserError } from '../runtime/errors.js';
import { binnedEvidence } from '../stats/drift/binned.js';
import { type ColumnEvidence, type CurrentData, OTHER_VALUES } from './evidence.js';
import { featureBinsOf, OTHER_CATEGORY } from './feature-bins.js';
import { distinctCount, numericSummary } from './profile-fields.js';

export interface PrometheusSource {
  /** Base URL (credentials allowed: basic auth, never shown). */
  url: string;
  token?: string;
  /** A PromQL duration, e.g. 24h. */
  window: string;
  /** Extra label matchers, e.g. `namespace="prod",model_name="iris"`. */
  selector: string;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

export function checkPrometheusInputs(o: PrometheusSource): void {
  if (!DURATION.test(o.window)) throw new UserError(`"${o.window}" is not a PromQL duration`, { where: { input: 'prometheus-window' }, fix: 'e.g. 24h, 7d or 1h30m' });
  if (/[{}\n\r]/.test(o.selector)) throw new UserError('the selector holds braces or a line break', { where: { input: 'prometheus-selector' }, fix: 'give the label matchers only, comma-separated, e.g. namespace="prod",model_name="iris"' });
}

/** The counts per feature and bin (or category) over the window. */
export async function prometheusCounts(reference: Profile, o: PrometheusSource, ctx: Context): Promise<CurrentData> {
  checkPrometheusInputs(o);
  if (o.token) ctx.mask(o.token);
  const password = URL.canParse(o.url) ? new URL(o.url).password : '';
  if (password) ctx.mask(decodeURIComponent(password));
  const client = prometheusClient({ url: o.url, token: o.token, input: 'prometheus' });
  const matchers = o.selector.trim() ? `{${o.selector.trim()}}` : '';
  const query = (metric: string, label: string) => `sum by (feature, ${label}) (increase(${metric}${matchers}[${o.window}]))`;
  const [bins, categories] = await Promise.all([client.query(query('mlops_feature_bin_total', 'bin')), client.query(query('mlops_feature_category_total', 'category'))]);
  const byFeature = new Map<string, Map<string, number>>();
  const collect = (samples: PromSample[], label: string) => {
    for (const s of samples) {
      const feature = s.labels.feature;
      const key = s.labels[label];
      if (feature === undefined || key === undefined) continue;
      if (!byFeature.has(feature)) byFeature.set(feature, new Map());
      // increase() extrapolates to the window's ends: counts come back slightly scaled (docs/drift.md).
      byFeature.get(feature)!.set(key, Number.isFinite(s.value) ? Math.round(s.value) : 0);
    }
  };
  collect(bins, 'bin');
  collect(categories, 'category');
  const shown = `${client.url}: increase over ${o.window}${matchers ? ` of ${matchers}` : ''}`;
  if (byFeature.size === 0) {
    throw new UserError(`${shown}: no mlops_feature_bin_total or mlops_feature_category_total series`, {
      where: { input: 'prometheus' },
      fix: 'the model server exports them when it has the reference profile (MODEL_PROFILE; build-image adds it when train recorded one with `profile:`); check the selector and that Prometheus scrapes the server',
    });
  }
  const rows = Math.max(0, ...[...byFeature.values()].map((m) => [...m.values()].reduce((a, b) => a + b, 0)));
  const digest = `sha256:${crypto.createHash('sha256').update(JSON.stringify([...byFeature].map(([f, m]) => [f, [...m].sort()]).sort())).digest('hex')}`;
  return {
    data: { files: [shown], rows, digest },
    columns: [...byFeature.keys()],
    evidence: (name, ref) => evidenceOf(name, ref, byFeature.get(name) ?? new Map()),
  };
}

function evidenceOf(name: string, ref: ColumnProfile, counts: Map<string, number>): ColumnEvidence {
  const plan = featureBinsOf(ref);
  if (!plan) return { skip: 'not binned by the server (datetime, or no reference values)' };
  const labels = plan.kind === 'numeric' ? plan.bins.bins.map((b) => b.label) : plan.categories;
  const unknown = [...counts.keys()].filter((k) => !labels.includes(k));
  if (unknown.length) {
    throw new UserError(`feature '${name}': the server counts ${plan.kind === 'numeric' ? 'bins' : 'categories'} the reference profile does not have (${unknown.slice(0, 3).join(', ')})`, {
      where: { input: 'reference' },
      fix: 'the server runs with another reference profile: give the reference of the model it serves (or the profile in its image)',
    });
  }
  const current = labels.map((l) => counts.get(l) ?? 0);
  if (plan.kind === 'categorical') {
    const label = (c: string) => (c === OTHER_CATEGORY ? OTHER_VALUES : c);
    return { evidence: binnedEvidence(name, { kind: 'categorical', reference: plan.categories.map((c, i) => [label(c), plan.reference[i]!]), current: plan.categories.map((c, i) => [label(c), current[i]!]) }) };
  }
  const r = numericSummary(ref)!;
  const bins = plan.bins.bins;
  const used = bins.filter((b, i) => b.reference + current[i]! > 0).length;
  return {
    evidence: binnedEvidence(name, {
      kind: 'numeric',
      bins: bins.map((b) => ({ low: b.low, high: b.high, value: b.value })),
      reference: bins.map((b) => b.reference),
      current,
      referenceStd: r.std ?? 0,
      distinct: Math.max(distinctCount(ref), used),
      referenceDistinct: distinctCount(ref),
      ...(r.min !== null && r.max !== null ? { range: { min: r.min, max: r.max } } : {}),
    }),
  };
}
