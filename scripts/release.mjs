#!/usr/bin/env node
// The release process's checks and notes (.github/workflows/release.yml runs them; docs in
// CONTRIBUTING.md, "Releasing"):
//   node scripts/release.mjs check 1.2.0   the version is X.Y.Z, package.json and
//                                          cli/package.json carry it, CHANGELOG.md has its
//                                          dated section, and the tag vX.Y.Z does not exist yet
//   node scripts/release.mjs notes 1.2.0   prints that CHANGELOG.md section (the release notes)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** The body of `## [version] - YYYY-MM-DD` up to the next `## ` heading or link references. */
export function changelogSection(changelog, version) {
  const lines = changelog.replace(/\r\n?/g, '\n').split('\n');
  const escaped = version.replace(/\./g, '\\.');
  const start = lines.findIndex((l) => new RegExp(`^## \\[${escaped}\\](?: - (\\d{4}-\\d{2}-\\d{2}))?\\s*$`).test(l));
  if (start < 0) return null;
  const date = /(\d{4}-\d{2}-\d{2})/.exec(lines[start])?.[1] ?? null;
  let end = lines.findIndex((l, i) => i > start && (/^## /.test(l) || /^\[[^\]]+\]: /.test(l)));
  if (end < 0) end = lines.length;
  return { date, body: lines.slice(start + 1, end).join('\n').trim() };
}

/** Every problem that stops releasing `version` (empty when it can go). */
export function releaseProblems(version, { changelog, rootVersion, cliVersion, tagExists }) {
  if (!SEMVER.test(version)) return [`"${version}" is not a version like 1.2.0 (no "v", no pre-release suffix)`];
  const problems = [];
  if (rootVersion !== version) problems.push(`package.json has version ${rootVersion}: set it to ${version}`);
  if (cliVersion !== version) problems.push(`cli/package.json has version ${cliVersion}: set it to ${version}`);
  const section = changelogSection(changelog, version);
  if (!section) problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section: move the Unreleased entries under it`);
  else if (!section.date) problems.push(`CHANGELOG.md's section for ${version} has no date: "## [${version}] - YYYY-MM-DD"`);
  else if (!section.body) problems.push(`CHANGELOG.md's section for ${version} is empty`);
  if (tagExists) problems.push(`the tag v${version} exists already: releases are never re-tagged, bump the version`);
  return problems;
}

function main(argv) {
  const [command, version] = argv;
  if (!['check', 'notes'].includes(command) || !version) {
    console.error('usage: node scripts/release.mjs check|notes <X.Y.Z>');
    return 2;
  }
  const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
  if (command === 'notes') {
    const section = changelogSection(changelog, version);
    if (!section) {
      console.error(`CHANGELOG.md has no section for ${version}`);
      return 1;
    }
    process.stdout.write(`${section.body}\n`);
    return 0;
  }
  const read = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')).version;
  const tags = execFileSync('git', ['tag', '--list', `v${version}`], { cwd: root, encoding: 'utf8' });
  const problems = releaseProblems(version, { changelog, rootVersion: read('package.json'), cliVersion: read('cli/package.json'), tagExists: tags.trim() !== '' });
  for (const p of problems) console.error(`error: ${p}`);
  if (problems.length === 0) console.log(`v${version} can be released`);
  return problems.length ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
