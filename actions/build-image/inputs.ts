import { z } from 'zod';
import { input } from '../../shared/runtime/action.js';

const pairs = (what: string) =>
  z.string().transform((s, ctx) => {
    const out: Record<string, string> = {};
    for (const line of s.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const eq = line.indexOf('=');
      if (eq <= 0) {
        ctx.addIssue({ code: 'custom', message: `expected key=value ${what}, got "${line}"` });
        return z.NEVER;
      }
      out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    return out;
  });

/** Keys are exactly the action.yml input names (test/unit/action-inputs.test.ts checks). */
export const inputs = z.object({
  model: z.string().min(1),
  image: z.string().min(1),
  tags: input.list(),
  'base-image': z.string().min(1),
  builder: z.enum(['oci', 'docker']),
  dockerfile: input.optional(),
  push: input.boolean(),
  registry: input.optional(),
  username: input.optional(),
  password: input.optional(),
  'github-token': input.optional(),
  platforms: input.list().refine((p) => p.length > 0 && p.every((x) => /^linux\/(amd64|arm64)$/.test(x)), 'expected linux/amd64 and/or linux/arm64'),
  labels: pairs('label'),
  annotations: pairs('annotation'),
  output: input.optional(),
  'source-date-epoch': z
    .string()
    .regex(/^(\d+)?$/, 'expected seconds since 1970')
    .transform((s) => (s ? Number(s) : undefined)),
  'attach-model': input.boolean(),
  'model-compression': z.enum(['gzip', 'none']),
});
export type Inputs = z.infer<typeof inputs>;
