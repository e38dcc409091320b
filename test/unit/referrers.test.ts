import { describe, expect, it } from 'vitest';
import { withReferrer } from '../../shared/oci/referrers.js';
import type { Descriptor } from '../../shared/oci/types.js';

const d = (n: number, extra: Partial<Descriptor> = {}): Descriptor => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: n, ...extra });
const ours = d(2, { artifactType: 'application/vnd.cncf.model.manifest.v1+json', annotations: { 'org.opencontainers.image.version': '2' } });

const reordered = Object.fromEntries(Object.entries(ours).reverse()) as Descriptor;

describe('referrers fallback index entries', () => {
  it.each([
    ['a new referrer goes last', [d(1), d(3)], [d(1), d(3), ours]],
    ['the same referrer again changes nothing (keys in another order included)', [d(1), reordered, d(3)], [d(1), reordered, d(3)]],
    ['an entry written without the annotations is completed where it stands', [d(1), d(2, { artifactType: ours.artifactType }), d(3)], [d(1), ours, d(3)]],
    ['duplicates go, the first place stays', [ours, d(1), ours, d(1)], [ours, d(1)]],
  ])('%s', (_name, entries, expected) => {
    const got = withReferrer(entries, ours);
    expect(got).toEqual(expected);
    expect(got.map((e) => JSON.stringify(e))).toEqual(expected.map((e) => JSON.stringify(e)));
  });
});
