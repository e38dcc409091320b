import { isVersion } from './store.js';

/**
 * How concurrent publishes to an OCI registry agree on version numbers without compare-and-swap.
 * Tags of other publishers are never overwritten: each attempt at version N first writes its
 * own immutable claim tag `claim-<N>-<id>` (a random id) naming its artifact, then reads the tag
 * list. It takes N (writes the tag `<N>`) only when every other claim on N is withdrawn
 * (`claim-<N>-<id>-withdrawn`); the claim with the smallest id waits for the others, which
 * withdraw. Two publishes can never both take N: the later of two claims, whichever read comes
 * second, sees the earlier one live (docs/model-store.md has the argument).
 */
const CLAIM = /^claim-([1-9][0-9]*)-([0-9a-f]{16})(-withdrawn)?$/;

export const claimTag = (version: string, id: string): string => `claim-${version}-${id}`;
export const withdrawnTag = (version: string, id: string): string => `${claimTag(version, id)}-withdrawn`;
export const isClaimTag = (tag: string): boolean => CLAIM.test(tag);

/** Claims not withdrawn, by version. */
function liveClaims(tags: string[]): Map<string, Set<string>> {
  const claims = new Map<string, Set<string>>();
  const withdrawn = new Set<string>();
  for (const tag of tags) {
    const m = CLAIM.exec(tag);
    if (!m) continue;
    if (m[3]) withdrawn.add(claimTag(m[1]!, m[2]!));
    else if (!claims.has(m[1]!)) claims.set(m[1]!, new Set([m[2]!]));
    else claims.get(m[1]!)!.add(m[2]!);
  }
  for (const [version, ids] of claims) {
    for (const id of ids) if (withdrawn.has(claimTag(version, id))) ids.delete(id);
    if (ids.size === 0) claims.delete(version);
  }
  return claims;
}

/** The number to claim next: above every published version and every live claim. */
export function versionToClaim(tags: string[]): string {
  const taken = [...tags.filter(isVersion), ...liveClaims(tags).keys()];
  return String(taken.reduce((max, v) => Math.max(max, Number(v)), 0) + 1);
}

export type ClaimDecision =
  /** Every other claim on the version is withdrawn and its tag is free: write it. */
  | 'take'
  /** Give the version up (write the withdrawal tag) and claim the next one. */
  | 'withdraw'
  /** Read again: a larger claim will withdraw, or our own claim is not listed yet. */
  | 'wait';

/** What the claim `claim-<version>-<id>` does, given the repository's tags read after it was written. */
export function decideClaim(tags: string[], version: string, id: string): ClaimDecision {
  if (tags.includes(version)) return 'withdraw';
  const live = liveClaims(tags).get(version) ?? new Set<string>();
  if (!live.has(id)) return 'wait';
  const others = [...live].filter((other) => other !== id);
  if (others.length === 0) return 'take';
  return others.some((other) => other < id) ? 'withdraw' : 'wait';
}
