/** Where a user's mistake sits: a file position, or an input name. */
export interface Where {
  file?: string;
  line?: number;
  column?: number;
  input?: string;
}

/**
 * Something the user can act on: what was wrong, where, and how to fix it. Reported without a
 * stack trace, titled by its kind: "invalid input" for a mistake in the inputs, else what failed
 * outside us ("registry error", "network error"...). Anything else that escapes an operation is
 * a bug of ours and reported as one.
 */
export class UserError extends Error {
  readonly where: Where;
  readonly fix: string | undefined;
  /** What kind of failure, for the annotation's title: "invalid input" unless said otherwise. */
  readonly title: string;
  constructor(message: string, opts: { where?: Where; fix?: string; title?: string } = {}) {
    super(message);
    this.name = 'UserError';
    this.where = opts.where ?? {};
    this.fix = opts.fix;
    this.title = opts.title ?? 'invalid input';
  }

  /** One readable paragraph: "file:line:col: message (input `x`). Fix: ...". */
  describe(): string {
    const { file, line, column, input } = this.where;
    let place = '';
    if (file) place = [file, line, line !== undefined ? column : undefined].filter((p) => p !== undefined).join(':') + ': ';
    const inputNote = input ? ` (input \`${input}\`)` : '';
    const fix = this.fix ? `\nFix: ${this.fix}` : '';
    return `${place}${this.message}${inputNote}${fix}`;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** How a bug is reported: the message, the stack, and where to report it. */
export function describeBug(e: unknown): string {
  const err = e instanceof Error ? e : new Error(String(e));
  return `Internal error (a bug in mlops-actions, not in your inputs): ${err.message}\n${err.stack ?? ''}\nPlease report it with this log.`;
}
