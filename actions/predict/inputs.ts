import { z } from 'zod';
import { input } from '../../shared/runtime/action.js';

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  model: z.string().min(1),
  data: z.string().min(1),
  output: z.string().min(1),
  format: z.enum(['auto', 'parquet', 'csv']),
  'key-columns': input.list(),
  features: input.list(),
  probabilities: input.boolean(),
  'batch-size': z
    .string()
    .regex(/^\d+$/, 'expected a number of rows')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 1_000_000, 'between 1 and 1000000'),
  'github-token': input.optional(),
});
export type Inputs = z.infer<typeof inputs>;
