// Types for the hand-written ONNX encoder, so the TypeScript benches that import it type-check.
export const DataType: Readonly<Record<'FLOAT' | 'INT32' | 'INT64' | 'STRING' | 'BOOL' | 'DOUBLE', number>>;
export const attr: Record<string, (...args: never[]) => unknown>;
export function encodeModel(model: unknown): Uint8Array;
