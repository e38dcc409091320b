import { z } from 'zod';

/** What a model takes and gives, as ONNX Runtime reports it. */
export const tensorSpecSchema = z.object({
  name: z.string(),
  /** ONNX Runtime's element type (float32, int64, string...) or `non-tensor` (e.g. ZipMap's sequence of maps). */
  type: z.string(),
  /** Dimensions; a string is a symbolic (dynamic) dimension such as the batch size. */
  shape: z.array(z.union([z.number(), z.string()])),
});
export const signatureSchema = z.object({ inputs: z.array(tensorSpecSchema), outputs: z.array(tensorSpecSchema) });
export type TensorSpec = z.infer<typeof tensorSpecSchema>;
export type Signature = z.infer<typeof signatureSchema>;
