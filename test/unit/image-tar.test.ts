import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayer } from '../../shared/oci/image/layer.js';
import { type TarEntry, writeTar } from '../../shared/oci/image/tar.js';
import { isUserError } from '../../shared/runtime/errors.js';
import { tempDir } from '../harness/temp.js';

const EPOCH = 1_700_000_000;
let tmp: string;

beforeAll(() => {
  tmp = tempDir('image-tar-');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function sha256(bytes: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;
}

interface Header {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: string;
  linkname: string;
  magic: string;
  version: string;
  uname: string;
  gname: string;
  checksumOk: boolean;
}

/** Every header block of an uncompressed tar, read by hand (PAX bodies skipped over). */
function headers(tar: Buffer): Header[] {
  const out: Header[] = [];
  const str = (o: number, n: number) => tar.subarray(o, o + n).toString('latin1').replace(/\0.*$/s, '');
  const num = (o: number, n: number) => parseInt(str(o, n).trim() || '0', 8);
  for (let off = 0; off + 512 <= tar.length; ) {
    const block = tar.subarray(off, off + 512);
    if (block.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
    const h: Header = {
      name: str(off, 100),
      mode: num(off + 100, 8),
      uid: num(off + 108, 8),
      gid: num(off + 116, 8),
      size: num(off + 124, 12),
      mtime: num(off + 136, 12),
      type: str(off + 156, 1),
      linkname: str(off + 157, 100),
      magic: tar.subarray(off + 257, off + 263).toString('latin1'),
      version: tar.subarray(off + 263, off + 265).toString('latin1'),
      uname: str(off + 265, 32),
      gname: str(off + 297, 32),
      checksumOk: num(off + 148, 8) === sum,
    };
    out.push(h);
    off += 512 + Math.ceil(h.size / 512) * 512;
  }
  return out;
}

function sourceTree(dir: string, opts: { mtime: number; mode?: number }): TarEntry[] {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const model = path.join(dir, 'src', 'model.onnx');
  const script = path.join(dir, 'src', 'serve.sh');
  fs.writeFileSync(model, Buffer.alloc(70_000, 7));
  fs.writeFileSync(script, '#!/bin/sh\necho serving\n');
  fs.chmodSync(model, opts.mode ?? 0o644);
  fs.chmodSync(script, 0o755);
  for (const f of [model, script]) fs.utimesSync(f, opts.mtime, opts.mtime);
  return [
    { path: '/models/churn/model.onnx', source: { file: model } },
    { path: '/app/serve.sh', source: { file: script } },
    { path: 'app/config.json', source: { bytes: '{"threads":1}\n' } },
    { path: '/usr/bin/serve', source: { symlink: '/app/serve.sh' } },
  ];
}

describe('writeTar', () => {
  it('sorts entries, adds parents, zeroes owners and times, fixes modes', async () => {
    const entries = sourceTree(path.join(tmp, 'a'), { mtime: 1234 });
    const res = await writeTar(entries, path.join(tmp, 'a.tar'), { sourceDateEpoch: EPOCH });
    expect(res.names).toEqual(['app/', 'app/config.json', 'app/serve.sh', 'models/', 'models/churn/', 'models/churn/model.onnx', 'usr/', 'usr/bin/', 'usr/bin/serve']);
    const tar = fs.readFileSync(res.file);
    expect(res.diffId).toBe(sha256(tar));
    expect(res.digest).toBe(res.diffId);
    expect(res.size).toBe(tar.length);
    expect(tar.length % 512).toBe(0);
    const hs = headers(tar);
    expect(hs.map((h) => h.name)).toEqual(res.names);
    for (const h of hs) {
      expect(h).toMatchObject({ uid: 0, gid: 0, mtime: EPOCH, magic: 'ustar\0', version: '00', uname: '', gname: '', checksumOk: true });
    }
    const modes = Object.fromEntries(hs.map((h) => [h.name, [h.type, h.mode.toString(8)]]));
    expect(modes).toEqual({
      'app/': ['5', '755'],
      'app/config.json': ['0', '644'],
      'app/serve.sh': ['0', '755'],
      'models/': ['5', '755'],
      'models/churn/': ['5', '755'],
      'models/churn/model.onnx': ['0', '644'],
      'usr/': ['5', '755'],
      'usr/bin/': ['5', '755'],
      'usr/bin/serve': ['2', '777'],
    });
    expect(hs.find((h) => h.name === 'usr/bin/serve')?.linkname).toBe('/app/serve.sh');
    // GNU tar agrees, with numeric owners and the epoch as time.
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', res.file], { encoding: 'utf8' }).trim().split('\n');
    expect(listing[0]).toMatch(/^drwxr-xr-x 0\/0 +0 2023-11-14 22:13:20 app\/$/);
    expect(listing.find((l) => l.includes('model.onnx'))).toMatch(/^-rw-r--r-- 0\/0 +70000 2023-11-14 22:13:20 models\/churn\/model.onnx$/);
  });

  it('writes exactly what GNU tar writes with --sort=name --owner=0 --mtime (golden digests)', async () => {
    const entries: TarEntry[] = [
      { path: '/app/serve.sh', source: { bytes: '#!/bin/sh\necho hi\n' }, mode: 0o755 },
      { path: '/models/m/model.onnx', source: { bytes: Buffer.alloc(100_000, 3) } },
      { path: '/usr/bin/serve', source: { symlink: '/app/serve.sh' } },
    ];
    const ours = await writeTar(entries, path.join(tmp, 'golden.tar'), { sourceDateEpoch: 1_700_000_000 });
    const gz = await writeTar(entries, path.join(tmp, 'golden.tar.gz'), { sourceDateEpoch: 1_700_000_000, gzip: true });
    expect(ours.diffId).toBe('sha256:6b01c1ca80a01d69966cd7e899d1528bf077465635c01467591a6994d2690e46');
    // Depends on the deflate implementation and level too (Node 20 and 24 agree; level 1 since gzip.ts says why).
    expect(gz.digest).toBe('sha256:be7fd018fd2a36c1401c0f9039f33bdde77854cd6c6625138946ac397f52acf9');
    const tree = path.join(tmp, 'gnu');
    for (const d of ['app', 'models/m', 'usr/bin']) fs.mkdirSync(path.join(tree, d), { recursive: true });
    fs.writeFileSync(path.join(tree, 'app/serve.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    fs.writeFileSync(path.join(tree, 'models/m/model.onnx'), Buffer.alloc(100_000, 3), { mode: 0o644 });
    fs.symlinkSync('/app/serve.sh', path.join(tree, 'usr/bin/serve'));
    for (const d of ['app', 'models', 'models/m', 'usr', 'usr/bin']) fs.chmodSync(path.join(tree, d), 0o755);
    fs.chmodSync(path.join(tree, 'app/serve.sh'), 0o755);
    fs.chmodSync(path.join(tree, 'models/m/model.onnx'), 0o644);
    const gnu = path.join(tmp, 'gnu.tar');
    execFileSync('tar', ['--sort=name', '--format=ustar', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@1700000000', '-b', '1', '-C', tree, '-cf', gnu, 'app', 'models', 'usr']);
    expect(fs.readFileSync(ours.file).equals(fs.readFileSync(gnu))).toBe(true);
  });

  it('gives the same bytes from another directory, other mtimes, other input order', async () => {
    const a = await writeTar(sourceTree(path.join(tmp, 'x'), { mtime: 1 }), path.join(tmp, 'x.tar.gz'), { sourceDateEpoch: EPOCH, gzip: true });
    const entries = sourceTree(path.join(tmp, 'y'), { mtime: 2_000_000_000, mode: 0o600 }).reverse();
    const b = await writeTar(entries, path.join(tmp, 'y.tar.gz'), { sourceDateEpoch: EPOCH, gzip: true });
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).toBe(a.diffId);
    expect(fs.readFileSync(a.file).equals(fs.readFileSync(b.file))).toBe(true);
    // Another epoch is another layer.
    const c = await writeTar(entries, path.join(tmp, 'z.tar.gz'), { sourceDateEpoch: EPOCH + 1, gzip: true });
    expect(c.diffId).not.toBe(a.diffId);
  });

  it('gzips with a fixed header and reports both digests', async () => {
    const entries = sourceTree(path.join(tmp, 'g'), { mtime: 5 });
    const plain = await writeTar(entries, path.join(tmp, 'g.tar'), { sourceDateEpoch: EPOCH });
    const gz = await writeTar(entries, path.join(tmp, 'g.tar.gz'), { sourceDateEpoch: EPOCH, gzip: true });
    const bytes = fs.readFileSync(gz.file);
    expect([...bytes.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
    expect(gz.digest).toBe(sha256(bytes));
    expect(gz.size).toBe(bytes.length);
    const unzipped = zlib.gunzipSync(bytes); // checks CRC-32 and ISIZE
    expect(sha256(unzipped)).toBe(gz.diffId);
    expect(gz.diffId).toBe(plain.diffId);
    expect(gz.uncompressedSize).toBe(plain.size);
    execFileSync('gzip', ['-t', gz.file]);
  });

  it('uses a PAX header only for names and targets ustar cannot hold', async () => {
    const long = `deep/${'d'.repeat(60)}/${'f'.repeat(60)}.bin`;
    const target = `/${'t'.repeat(120)}`;
    const res = await writeTar(
      [
        { path: long, source: { bytes: 'x' } },
        { path: 'short', source: { bytes: 'y' } },
        { path: 'link', source: { symlink: target } },
      ],
      path.join(tmp, 'pax.tar'),
      { sourceDateEpoch: EPOCH },
    );
    const hs = headers(fs.readFileSync(res.file));
    expect(hs.map((h) => h.type)).toEqual(['5', '5', 'x', '0', 'x', '2', '0']);
    const out = path.join(tmp, 'pax-out');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', res.file, '-C', out]);
    expect(fs.readFileSync(path.join(out, long), 'utf8')).toBe('x');
    expect(fs.readlinkSync(path.join(out, 'link'))).toBe(target);
  });

  it('keeps explicit modes and directories', async () => {
    const res = await writeTar(
      [
        { path: '/tmp', source: { directory: true }, mode: 0o1777 },
        { path: '/bin/tool', source: { bytes: 'x' }, mode: 0o755 },
      ],
      path.join(tmp, 'modes.tar'),
      { sourceDateEpoch: 0 },
    );
    const hs = headers(fs.readFileSync(res.file));
    expect(hs.map((h) => `${h.name} ${h.mode.toString(8)}`)).toEqual(['bin/ 755', 'bin/tool 755', 'tmp/ 1777']);
  });

  it('refuses duplicates, `..`, a file used as a directory and a bad epoch', async () => {
    const cases: [TarEntry[], number][] = [
      [[{ path: 'a', source: { bytes: '1' } }, { path: '/a', source: { bytes: '2' } }], EPOCH],
      [[{ path: '../etc/passwd', source: { bytes: '1' } }], EPOCH],
      [[{ path: '/', source: { directory: true } }], EPOCH],
      [[{ path: 'a', source: { bytes: '1' } }, { path: 'a/b', source: { bytes: '2' } }], EPOCH],
      [[{ path: 'a', source: { file: path.join(tmp, 'missing') } }], EPOCH],
      [[{ path: 'a', source: { bytes: '1' } }], -1],
      [[{ path: 'a', source: { bytes: '1' } }], 1.5],
    ];
    for (const [entries, epoch] of cases) {
      const error = await writeTar(entries, path.join(tmp, 'bad.tar'), { sourceDateEpoch: epoch }).catch((e: unknown) => e);
      expect(isUserError(error), JSON.stringify(entries)).toBe(true);
    }
    expect(fs.existsSync(path.join(tmp, 'bad.tar'))).toBe(false);
  });

  it('streams a big file without holding it in memory', async () => {
    const big = path.join(tmp, 'big.bin');
    const fd = fs.openSync(big, 'w');
    const chunk = crypto.randomBytes(1 << 20);
    for (let i = 0; i < 96; i++) fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const before = process.memoryUsage();
    let peak = 0;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - before.heapUsed - before.arrayBuffers);
    }, 2);
    const res = await writeTar([{ path: 'models/big.bin', source: { file: big } }], path.join(tmp, 'big.tar'), { sourceDateEpoch: EPOCH });
    clearInterval(timer);
    expect(res.size).toBe(96 * (1 << 20) + 512 * 2 + 1024); // models/, models/big.bin, end blocks
    expect(peak).toBeLessThan(48 * (1 << 20));
  });
});

describe('buildLayer', () => {
  it('names the tar by its digest and keeps the history fields', async () => {
    const layer = await buildLayer({ entries: [{ path: 'a', source: { bytes: 'a' } }], compression: 'none', createdBy: 'COPY a /a' }, { dir: path.join(tmp, 'layers'), sourceDateEpoch: EPOCH });
    expect(layer.file).toBe(path.join(tmp, 'layers', `${layer.digest.slice(7)}.tar`));
    expect(layer.digest).toBe(layer.diffId);
    expect(layer.createdBy).toBe('COPY a /a');
    const gz = await buildLayer({ entries: [{ path: 'a', source: { bytes: 'a' } }] }, { dir: path.join(tmp, 'layers'), sourceDateEpoch: EPOCH });
    expect(gz.compression).toBe('gzip');
    expect(gz.diffId).toBe(layer.diffId);
    expect(gz.file.endsWith('.tar.gz')).toBe(true);
    expect(fs.readdirSync(path.join(tmp, 'layers')).sort()).toEqual([path.basename(layer.file), path.basename(gz.file)].sort());
  });
});
