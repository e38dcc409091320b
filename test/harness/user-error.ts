import { UserError } from '../../shared/runtime/errors.js';

/** The UserError `fn` throws (anything else is rethrown; no error at all fails). */
export function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('no error');
}
