import { z } from 'zod';
import { input } from '../../shared/runtime/action.js';

const int = (what: string) => z.string().regex(/^\d+$/, `expected ${what}`).transform(Number);

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  model: z.string().min(1),
  baseline: input.optional(),
  store: input.optional(),
  data: z.string().min(1),
  label: z.string().min(1),
  features: input.list(),
  task: z.enum(['auto', 'binary', 'multiclass', 'regression']),
  metrics: input.list(),
  gates: z.string(),
  'first-model': z.enum(['pass', 'fail']),
  slices: input.list(),
  confidence: z
    .string()
    .regex(/^0?\.\d+$/, 'expected a level between 0 and 1, e.g. 0.95')
    .transform(Number),
  resamples: int('a number of resamples').refine((n) => n >= 0 && n <= 100_000, 'between 0 and 100000'),
  seed: int('a non-negative integer'),
  'batch-size': int('a number of rows').refine((n) => n >= 1, 'at least 1'),
  comment: z.enum(['auto', 'always', 'never']),
  'github-token': input.optional(),
  promote: input.boolean(),
  'report-dir': z.string().min(1),
});
export type Inputs = z.infer<typeof inputs>;
