import { z } from 'zod';
import { input } from '../../shared/runtime/action.js';

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  data: z.string().min(1),
  schema: input.optional(),
  'infer-schema': input.optional(),
  profile: z.string().min(1),
  report: z.string().min(1),
  'fail-on': z.enum(['error', 'warning', 'never']),
});
export type Inputs = z.infer<typeof inputs>;
