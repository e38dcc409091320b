import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { extractTarGz } from '../../shared/native/tar.js';
import { tempDir } from '../harness/temp.js';

/** A ustar archive built by hand, so hostile entries can be made. */
function tarGz(entries: { name: string; body?: string; type?: string }[]): string {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    h.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const file = path.join(tempDir('tar-'), 'a.tgz');
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat(blocks)));
  return file;
}

describe('extractTarGz', () => {
  it('extracts files under package/ with the prefix stripped', async () => {
    const dest = tempDir('out-');
    await extractTarGz(tarGz([{ name: 'package/a.txt', body: 'hello' }, { name: 'package/lib/b.node', body: 'x'.repeat(700) }]), dest);
    expect(fs.readFileSync(path.join(dest, 'a.txt'), 'utf8')).toBe('hello');
    expect(fs.statSync(path.join(dest, 'lib/b.node')).size).toBe(700);
  });
  it.each([
    ['package/../../escape.txt', /outside the destination/],
    ['/etc/evil', /outside the destination/],
  ])('refuses %s (path traversal)', async (name, msg) => {
    const dest = tempDir('out-');
    await expect(extractTarGz(tarGz([{ name, body: 'x' }]), dest)).rejects.toThrow(msg);
    expect(fs.existsSync(path.join(dest, '..', 'escape.txt'))).toBe(false);
  });
  it('refuses symlinks', async () => {
    const dest = tempDir('out-');
    await expect(extractTarGz(tarGz([{ name: 'package/link', type: '2' }]), dest)).rejects.toThrow(/links and devices/);
  });
});
