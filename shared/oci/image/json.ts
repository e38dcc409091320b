import crypto from 'node:crypto';

/**
 * Deterministic JSON bytes: object keys sorted (bytewise) at every depth, no whitespace,
 * `undefined` members dropped. The same value always gives the same digest, whatever order
 * its keys were set in.
 */
export function stableJson(value: unknown): Buffer {
  return Buffer.from(
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }),
  );
}

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

/** RFC 3339 in UTC without fractions: `2024-05-01T12:00:00Z`. */
export function epochToRfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
