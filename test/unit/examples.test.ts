import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/runner.js';

describe('examples/weather', () => {
  it('ships the unchanged vega-datasets file its README names', () => {
    const ours = fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/data/seattle-weather.csv'));
    const upstream = fs.readFileSync(path.join(REPO_ROOT, 'node_modules/vega-datasets/data/seattle-weather.csv'));
    expect(ours.equals(upstream)).toBe(true);
    const sha256 = crypto.createHash('sha256').update(ours).digest('hex');
    expect(fs.readFileSync(path.join(REPO_ROOT, 'examples/weather/README.md'), 'utf8')).toContain(sha256);
  });
});
