import { z } from 'zod';
import { input } from '../../shared/runtime/action.js';


/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  command: z.string().min(1),
  'working-directory': z.string().min(1),
  params: input.optional(),
  data: z.string().transform((s) => s.split('\n').map((x) => x.trim()).filter(Boolean)),
  code: z.string().transform((s) => s.split('\n').map((x) => x.trim()).filter(Boolean)),
  model: z.string().min(1),
  metrics: input.optional(),
  profile: input.optional(),
  name: input.optional(),
  seed: z.string().regex(/^\d+$/, 'expected a non-negative integer').transform(Number),
  'timeout-minutes': z.string().regex(/^\d+(\.\d+)?$/, 'expected a number of minutes').transform(Number).refine((n) => n > 0, 'must be more than 0'),
  cache: input.boolean(),
  publish: input.optional(),
  tags: input.list(),
  'github-token': input.optional(),
});
export type Inputs = z.infer<typeof inputs>;
