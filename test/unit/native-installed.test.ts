import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedPackage } from '../../shared/native/loader.js';
import pins from '../../shared/native/pins.json' with { type: 'json' };
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';

const pin = pins.onnxruntime;

/** A checkout whose node_modules holds `pin.package` at `version`, npm's record saying `integrity`. */
function checkout(version: string, integrity: string | null): string {
  const root = tempDir('installed-');
  const pkg = path.join(root, 'node_modules', pin.package);
  fs.mkdirSync(pkg, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: pin.package, version }));
  if (integrity !== null) fs.writeFileSync(path.join(root, 'node_modules/.package-lock.json'), JSON.stringify({ packages: { [`node_modules/${pin.package}`]: { version, integrity } } }));
  fs.mkdirSync(path.join(root, 'actions/train/dist'), { recursive: true });
  return root;
}

describe('installedPackage: npm\'s copy of a native engine, only when it is the pinned one', () => {
  it('finds the repository\'s own node_modules from a bundle (npm ci ran)', () => {
    expect(installedPackage(pin, path.join(REPO_ROOT, 'actions/train/dist/index.js'))).toBe(path.join(REPO_ROOT, 'node_modules', pin.package));
  });
  it('takes a copy whose version and verified integrity equal the pin', () => {
    const root = checkout(pin.version, pin.integrity);
    expect(installedPackage(pin, path.join(root, 'actions/train/dist/index.js'))).toBe(path.join(root, 'node_modules', pin.package));
  });
  const refused: [string, string, string | null][] = [
    ['another integrity', pin.version, 'sha512-' + Buffer.alloc(64).toString('base64')],
    ['another version', '1.0.0', pin.integrity],
    ['no record of what npm verified', pin.version, null],
  ];
  for (const [name, version, integrity] of refused) {
    it(`refuses ${name}`, () => {
      const root = checkout(version, integrity);
      expect(installedPackage(pin, path.join(root, 'actions/train/dist/index.js'))).toBeUndefined();
    });
  }
  it('finds nothing where no node_modules is above', () => {
    const root = tempDir('bare-');
    expect(installedPackage(pin, path.join(root, 'index.js'))).toBeUndefined();
  });
});
