import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../harness/runner.js';
import { tempDir } from '../harness/temp.js';
// @ts-expect-error: a plain .mjs script without types
import { changelogSection, releaseProblems } from '../../scripts/release.mjs';

/** The release process: scripts/release.mjs (checks, notes) as .github/workflows/release.yml runs it. */

const CHANGELOG = `# Changelog\r\n\r\n## [Unreleased]\r\n\r\n### Added\r\n- next\r\n\r\n## [1.1.0] - 2026-12-01\r\n\r\n### Fixed\r\n- a bug\r\n\r\n## [1.0.0] - 2026-11-30\r\n\r\n- first\r\n\r\n[1.1.0]: https://example.com/compare\r\n`;

describe('changelogSection', () => {
  it('takes the section up to the next heading or the link references, CRLF or not', () => {
    expect(changelogSection(CHANGELOG, '1.1.0')).toEqual({ date: '2026-12-01', body: '### Fixed\n- a bug' });
    expect(changelogSection(CHANGELOG, '1.0.0')).toEqual({ date: '2026-11-30', body: '- first' });
    expect(changelogSection(CHANGELOG, '1.0')).toBeNull();
    expect(changelogSection(CHANGELOG, '1.1.00')).toBeNull();
  });
});

describe('releaseProblems', () => {
  const ok = { changelog: CHANGELOG, rootVersion: '1.1.0', cliVersion: '1.1.0', tagExists: false };
  it('lets a complete release go and names each missing piece otherwise', () => {
    expect(releaseProblems('1.1.0', ok)).toEqual([]);
    expect(releaseProblems('v1.1.0', ok)[0]).toMatch(/not a version like 1\.2\.0/);
    expect(releaseProblems('1.2.0-rc.1', ok)[0]).toMatch(/not a version/);
    expect(releaseProblems('1.2.0', ok)).toEqual([
      'package.json has version 1.1.0: set it to 1.2.0',
      'cli/package.json has version 1.1.0: set it to 1.2.0',
      'CHANGELOG.md has no "## [1.2.0] - YYYY-MM-DD" section: move the Unreleased entries under it',
    ]);
    expect(releaseProblems('1.1.0', { ...ok, tagExists: true })).toEqual(['the tag v1.1.0 exists already: releases are never re-tagged, bump the version']);
    expect(releaseProblems('1.1.0', { ...ok, changelog: '## [1.1.0]\n- x\n' })[0]).toMatch(/has no date/);
  });
});

describe('node scripts/release.mjs', () => {
  it('checks and prints notes in a repository, and refuses a version already tagged', () => {
    const repo = tempDir('release-repo-');
    fs.mkdirSync(path.join(repo, 'scripts'));
    fs.mkdirSync(path.join(repo, 'cli'));
    fs.copyFileSync(path.join(REPO_ROOT, 'scripts/release.mjs'), path.join(repo, 'scripts/release.mjs'));
    fs.writeFileSync(path.join(repo, 'CHANGELOG.md'), CHANGELOG);
    fs.writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ version: '1.1.0' }));
    fs.writeFileSync(path.join(repo, 'cli/package.json'), JSON.stringify({ version: '1.1.0' }));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, stdio: 'pipe' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'release 1.1.0');
    const release = (...args: string[]) => spawnSync(process.execPath, ['scripts/release.mjs', ...args], { cwd: repo, encoding: 'utf8' });
    expect(release('check', '1.1.0')).toMatchObject({ status: 0, stdout: 'v1.1.0 can be released\n' });
    expect(release('notes', '1.1.0')).toMatchObject({ status: 0, stdout: '### Fixed\n- a bug\n' });
    git('tag', 'v1.1.0');
    const again = release('check', '1.1.0');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/the tag v1\.1\.0 exists already/);
    expect(release('notes', '9.9.9')).toMatchObject({ status: 1, stderr: 'CHANGELOG.md has no section for 9.9.9\n' });
    expect(release('publish').status).toBe(2);
  });

  it('the repository itself: versions agree and CHANGELOG.md has an Unreleased section', () => {
    const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const cli = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cli/package.json'), 'utf8')) as { version: string; name: string };
    expect(cli.version).toBe(root.version);
    expect(cli.name).toMatch(/^@[a-z0-9-]+\/[a-z0-9-]+$/);
    expect(changelogSection(fs.readFileSync(path.join(REPO_ROOT, 'CHANGELOG.md'), 'utf8'), 'Unreleased')?.body).toMatch(/### Added/);
  });

  it('the release workflow runs the checks before it tags, and tags before it releases', () => {
    const wf = parseYaml(fs.readFileSync(path.join(REPO_ROOT, '.github/workflows/release.yml'), 'utf8')) as { jobs: { release: { steps: { run?: string }[] } } };
    const runs = wf.jobs.release.steps.map((s) => s.run ?? '').join('\n');
    const order = ['npm run check', 'scripts/release.mjs check', 'git tag "v$VERSION"', 'git tag --force "$major"', 'gh release create'].map((s) => runs.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
