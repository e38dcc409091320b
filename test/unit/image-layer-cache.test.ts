import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLayer, buildLayerCached } from '../../shared/oci/image/layer.js';
import { tempDir } from '../harness/temp.js';

describe('buildLayerCached', () => {
  it('reuses an unchanged layer and rebuilds when any input changes', async () => {
    const tmp = tempDir('layer-cache-');
    const file = path.join(tmp, 'server.mjs');
    fs.writeFileSync(file, 'console.log(1)\n');
    const spec = { entries: [{ path: '/opt/app/server.mjs', source: { file }, mode: 0o644 }] };
    const opts = { dir: path.join(tmp, 'work'), sourceDateEpoch: 1700000000, cacheDir: path.join(tmp, 'cache') };
    const first = await buildLayerCached(spec, opts);
    const plain = await buildLayer(spec, { dir: path.join(tmp, 'plain'), sourceDateEpoch: 1700000000 });
    expect(first.digest).toBe(plain.digest); // caching never changes the bytes
    const built = fs.statSync(first.file).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const second = await buildLayerCached(spec, opts);
    expect(second).toEqual(first);
    expect(fs.statSync(second.file).mtimeMs).toBe(built); // not written again

    fs.writeFileSync(file, 'console.log(2)\n');
    expect((await buildLayerCached(spec, opts)).digest).not.toBe(first.digest);
    expect((await buildLayerCached(spec, { ...opts, sourceDateEpoch: 1 })).digest).not.toBe(first.digest);
    fs.rmSync(first.file); // a cache entry whose file went away is rebuilt
    fs.writeFileSync(file, 'console.log(1)\n');
    expect((await buildLayerCached(spec, opts)).digest).toBe(first.digest);
  });
});
