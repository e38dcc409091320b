import { describe, expect, it } from 'vitest';
import { claimTag, decideClaim, versionToClaim, withdrawnTag } from '../../shared/store/oci-claims.js';

const A = '0000000000000001';
const B = '00000000000000ff';
const C = 'ffffffffffffffff';

describe('version claims in an OCI registry', () => {
  it.each([
    ['nothing yet', [], '1'],
    ['after published versions and aliases', ['1', '2', 'latest'], '3'],
    ['above a live claim (a publish in progress)', ['1', claimTag('2', A)], '3'],
    ['a number whose every claim was withdrawn is free again', ['1', claimTag('2', A), withdrawnTag('2', A)], '2'],
    ['claim tags of another shape are not claims', ['1', 'claim-9-xyz'], '2'],
  ])('the next version to claim: %s', (_name, tags, next) => {
    expect(versionToClaim(tags as string[])).toBe(next);
  });

  it.each([
    ['alone: take it', [claimTag('3', B)], 'take'],
    ['the others withdrew: take it', [claimTag('3', A), withdrawnTag('3', A), claimTag('3', B), claimTag('3', C), withdrawnTag('3', C)], 'take'],
    ['a smaller live claim: withdraw', [claimTag('3', A), claimTag('3', B)], 'withdraw'],
    ['only larger live claims: wait for them to withdraw', [claimTag('3', B), claimTag('3', C)], 'wait'],
    ['the version tag exists: withdraw, whatever the claims', ['3', claimTag('3', B)], 'withdraw'],
    ['our claim not listed yet: wait', [], 'wait'],
    ['claims on other versions do not count', [claimTag('2', A), claimTag('3', B), claimTag('4', A)], 'take'],
  ])('claim %s', (_name, tags, decision) => {
    expect(decideClaim(tags as string[], '3', B)).toBe(decision);
  });

  it('tags stay valid OCI tags', () => {
    for (const tag of [claimTag('123456789', C), withdrawnTag('123456789', C)]) expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);
  });
});
