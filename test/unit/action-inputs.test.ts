import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseActionMetadata, parseInputs } from '../../shared/runtime/action.js';
import { actions } from '../../actions/registry.js';
import { UserError } from '../../shared/runtime/errors.js';
import { action as train } from '../../actions/train/train.js';
import { action as validateData } from '../../actions/validate-data/validate-data.js';
import { REPO_ROOT } from '../harness/runner.js';


describe('action.yml and the input schema agree', () => {
  it('every actions/<name> folder is a registered action', () => {
    const folders = fs.readdirSync(path.join(REPO_ROOT, 'actions')).filter((d) => fs.existsSync(path.join(REPO_ROOT, 'actions', d, 'action.yml')));
    expect(folders.sort()).toEqual(actions.map((a) => a.id).sort());
  });

  for (const def of actions) {
    describe(def.id, () => {
      const yml = parseActionMetadata(YAML.parse(fs.readFileSync(path.join(REPO_ROOT, 'actions', def.id, 'action.yml'), 'utf8')));
      it('has exactly the same input names', () => {
        expect(Object.keys(def.inputs.shape).sort()).toEqual(Object.keys(yml.inputs).sort());
      });
      it('runs on node24 from dist/index.js', () => {
        expect(yml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
      });
      it('accepts its own defaults once required inputs are given', () => {
        const raw = Object.fromEntries(Object.entries(yml.inputs).filter(([, m]) => m.required).map(([n]) => [n, 'x']));
        expect(() => parseInputs(def, raw)).not.toThrow();
      });
    });
  }
});

describe('parseInputs', () => {
  it('names a missing required input', () => {
    const err = (() => {
      try {
        parseInputs(validateData, {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).where.input).toBe('data');
    expect((err as UserError).describe()).toMatch(/input "data" is required/);
  });
  it('names an invalid value and lists what is allowed', () => {
    expect(() => parseInputs(validateData, { data: 'x', 'fail-on': 'sometimes' })).toThrow(/input "fail-on" is invalid.*"sometimes"/);
  });
  it('rejects unknown inputs (a typo in a flag)', () => {
    expect(() => parseInputs(validateData, { data: 'x', shema: 'y' })).toThrow(/unknown input "shema"/);
  });
  it('applies action.yml defaults', () => {
    expect(parseInputs(validateData, { data: 'd.csv' })).toMatchObject({ data: 'd.csv', profile: '.mlops/profile.json', 'fail-on': 'error', schema: undefined });
  });
  it('keeps an input set to the empty string empty, as the runner does (metrics: \'\' means no metrics)', () => {
    expect(parseInputs(train, { command: 'make' })).toMatchObject({ metrics: 'metrics.json', tags: ['latest'] });
    expect(parseInputs(train, { command: 'make', metrics: '', tags: '' })).toMatchObject({ metrics: undefined, tags: [] });
    expect(() => parseInputs(validateData, { data: 'd.csv', profile: '' })).toThrow(/input "profile" is invalid/);
  });
});
