/**
 * A CommonJS package (DuckDB's API, ONNX Runtime, the Kubernetes client) loaded with import():
 * under Node its exports arrive as named exports and as `default`; in the split bundles
 * (scripts/build.mjs) only as `default`. The one way to read them, the same in both.
 */
export async function importCommonJs<T extends object>(load: () => Promise<T>): Promise<T> {
  const mod = (await load()) as T & { default?: unknown };
  const d = mod.default;
  return (d !== null && (typeof d === 'object' || typeof d === 'function') ? d : mod) as T;
}
