import { z } from 'zod';
import { input } from '../../shared/runtime/action.js';

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  report: z.string().min(1),
  'github-token': input.optional(),
});
export type Inputs = z.infer<typeof inputs>;
