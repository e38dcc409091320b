import type { Annotation } from './context.js';
import { withoutCredentialsIn } from '../lineage/url.js';
import { plainText, plainValue } from '../report/text.js';

/** GitHub shows at most 10 annotations of each level per step. */
export const ANNOTATIONS_PER_LEVEL = 10;

/**
 * Keep the first annotations of each level and fold the rest into one that says how many more
 * there are, so nothing is silently dropped and the runner's cap never hides the summary hint.
 * `reservedErrors` keeps room for the step's own failure message.
 */
export function capAnnotations(list: readonly Annotation[], perLevel = ANNOTATIONS_PER_LEVEL, reservedErrors = 0): Annotation[] {
  const out: Annotation[] = [];
  for (const level of ['error', 'warning', 'notice'] as const) {
    const ofLevel = list.filter((a) => a.level === level);
    const cap = level === 'error' ? perLevel - reservedErrors : perLevel;
    if (ofLevel.length <= cap) {
      out.push(...ofLevel);
      continue;
    }
    out.push(...ofLevel.slice(0, cap - 1));
    const more = ofLevel.length - (cap - 1);
    out.push({ level, title: `${more} more ${level}s`, message: `${more} more ${level} annotations were folded into this one: see the job summary for all of them.` });
  }
  return out;
}

/** GitHub cuts an annotation's title at 255 characters; a message this long says enough. */
const TITLE_LIMIT = 200;
const MESSAGE_LIMIT = 4000;

/**
 * Annotations as the adapters show them: capped per level (above), made plain like every
 * rendered value (report/text.ts: controls visible, long text cut), URLs without credentials.
 */
export function shownAnnotations(list: readonly Annotation[], reservedErrors = 0): Annotation[] {
  return capAnnotations(list, ANNOTATIONS_PER_LEVEL, reservedErrors).map((a) => ({
    ...a,
    title: a.title === undefined ? undefined : plainValue(withoutCredentialsIn(a.title), TITLE_LIMIT),
    message: plainText(withoutCredentialsIn(a.message), MESSAGE_LIMIT),
  }));
}
