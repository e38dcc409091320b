import { describe, expect, it } from 'vitest';
import { capAnnotations } from '../../shared/runtime/annotations.js';
import type { Annotation } from '../../shared/runtime/context.js';

const many = (level: Annotation['level'], n: number): Annotation[] => Array.from({ length: n }, (_, i) => ({ level, message: `${level} ${i}` }));

describe('capAnnotations', () => {
  it('passes through up to 10 per level', () => {
    const list = [...many('error', 10), ...many('warning', 3)];
    expect(capAnnotations(list)).toEqual(list);
  });
  it('folds the rest into one that counts them', () => {
    const out = capAnnotations([...many('error', 25), ...many('notice', 1)]);
    const errors = out.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(10);
    expect(errors.slice(0, 9).map((a) => a.message)).toEqual(many('error', 9).map((a) => a.message));
    expect(errors[9]!.message).toMatch(/^16 more error annotations/);
    expect(out.filter((a) => a.level === 'notice')).toHaveLength(1);
  });
  it('keeps room for the step failure message when asked', () => {
    const errors = capAnnotations(many('error', 25), 10, 1);
    expect(errors).toHaveLength(9);
    expect(errors[8]!.message).toMatch(/^17 more error annotations/);
    expect(capAnnotations(many('error', 9), 10, 1)).toHaveLength(9);
  });
});
