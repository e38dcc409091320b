import { z } from 'zod';
import { DEFAULT_THRESHOLDS, THRESHOLD_NAMES } from '../../shared/monitor/rules.js';
import { input } from '../../shared/runtime/action.js';

/** `KEY=value` lines (blank lines skipped); the value may contain `=`. */
const pairs = (what: string, key: RegExp) =>
  z.string().transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const line of s.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
      const eq = line.indexOf('=');
      const k = eq > 0 ? line.slice(0, eq).trim() : '';
      if (!key.test(k)) {
        ctx.addIssue({ code: 'custom', message: `expected one ${what}=value per line, got "${line}"` });
        return z.NEVER;
      }
      out[k] = line.slice(eq + 1).trim();
    }
    return out;
  });

/** `name=value` alert thresholds over the defaults. */
const thresholds = pairs('name', /^[a-z0-9-]+$/).transform((given, ctx) => {
  const out = { ...DEFAULT_THRESHOLDS };
  for (const [name, value] of Object.entries(given)) {
    const key = THRESHOLD_NAMES[name];
    const n = Number(value);
    if (!key) ctx.addIssue({ code: 'custom', message: `unknown alert threshold "${name}" (known: ${Object.keys(THRESHOLD_NAMES).join(', ')})` });
    else if (!value || !Number.isFinite(n) || n <= 0) ctx.addIssue({ code: 'custom', message: `${name} must be a positive number, got "${value}"` });
    else out[key] = n;
  }
  return out;
});

const count = (what: string, min: number) => z.string().regex(/^\d+$/, `expected ${what}`).transform(Number).refine((n) => n >= min, `at least ${min}`);

/** `10,50,100`: increasing percentages of the traffic, each 1 to 100. */
const steps = input.list().superRefine((items, ctx) => {
  const ok = items.length > 0 && items.every((s, i) => /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 100 && (i === 0 || Number(s) > Number(items[i - 1])));
  if (!ok) ctx.addIssue({ code: 'custom', message: `expected increasing percentages from 1 to 100, e.g. 10,50,100; got "${items.join(',')}"` });
});

/** `90s`, `1m`, `1m30s`, `2h` (Prometheus's units; at least 1 s) as seconds. */
const duration = z.string().transform((s, ctx) => {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s.trim());
  const seconds = m && s.trim() ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : 0;
  if (seconds < 1) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 30s, 1m or 1m30s, got "${s}"` });
    return z.NEVER;
  }
  return seconds;
});

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  image: z.string().min(1),
  model: input.optional(),
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a DNS label (lower-case letters, digits and -, at most 63)'),
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a namespace name (lower-case letters, digits and -)'),
  kubeconfig: input.optional(),
  manifests: input.list(),
  replicas: z.string().regex(/^\d+$/, 'expected a number of replicas').transform(Number),
  env: pairs('NAME', /^[A-Za-z_][A-Za-z0-9_]*$/),
  annotations: pairs('key', /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/),
  strategy: z.enum(['rolling', 'canary']),
  timeout: z.string().regex(/^\d+$/, 'expected seconds').transform(Number).refine((n) => n >= 1, 'at least 1 second'),
  rollback: z.enum(['auto', 'never']),
  'field-manager': z.string().min(1).max(128),
  'force-conflicts': input.boolean(),
  monitoring: z.enum(['apply', 'files', 'none']),
  'monitoring-dir': z.string().min(1),
  'monitoring-labels': pairs('key', /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/),
  alerts: thresholds,
  environment: input.optional(),
  'environment-url': input.optional(),
  'github-token': input.optional(),
  steps: steps.transform((items) => items.map(Number)),
  interval: duration,
  count: count('a number of measurements', 1),
  'failure-limit': count('a number of failed measurements', 0),
  'inconclusive-limit': count('a number of inconclusive measurements', 0),
  'consecutive-error-limit': count('a number of query errors', 0),
  prometheus: input.optional(),
  'prometheus-token': input.optional(),
  analysis: z.string(),
  route: z.union([z.literal(''), z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, 'expected the name of an HTTPRoute in `namespace`')]).transform((s) => s || undefined),
});
export type Inputs = z.infer<typeof inputs>;
