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
});
export type Inputs = z.infer<typeof inputs>;
