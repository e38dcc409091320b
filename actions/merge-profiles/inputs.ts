import { z } from 'zod';

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  profiles: z.string().min(1),
  output: z.string().min(1),
});
export type Inputs = z.infer<typeof inputs>;
