import { z } from 'zod';
import { input } from '../../shared/runtime/action.js';

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  reference: z.string().min(1),
  current: z.string().min(1),
  'current-format': z.enum(['data', 'prediction-log']),
  prometheus: input.optional(),
  'prometheus-token': input.optional(),
  'prometheus-window': z.string().min(1),
  'prometheus-selector': z.string(),
  'reference-data': input.optional(),
  columns: input.list(),
  stattest: z.string(),
  'stattest-threshold': z.string(),
  'drift-share': z
    .string()
    .regex(/^(0?\.\d+|0|1|1\.0*)$/, 'expected a share between 0 and 1, e.g. 0.5')
    .transform(Number),
  'fail-on': z.enum(['drift', 'warn', 'never']),
  report: z.string().min(1),
  'report-md': z.string().min(1),
  model: z.string().min(1).max(100),
  issue: input.boolean(),
  retrain: z.enum(['none', 'dispatch']),
  'retrain-workflow': input.optional(),
  'retrain-ref': input.optional(),
  'retrain-cooldown': z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'expected a number of hours, e.g. 24')
    .transform(Number),
  'github-token': input.optional(),
  'prediction-column': z.string().min(1),
  'reference-predictions': input.optional(),
  'time-column': z.string().min(1),
  labels: input.optional(),
  'label-column': input.optional(),
  'id-column': input.list(),
  window: z.string(),
  'baseline-metrics': input.optional(),
  'performance-rules': z.string(),
  webhook: input.optional(),
  'webhook-format': z.enum(['slack', 'teams', 'json']),
  'webhook-on': z.enum(['drift', 'warn', 'always']),
  pushgateway: input.optional(),
  'metrics-file': input.optional(),
});
export type Inputs = z.infer<typeof inputs>;
