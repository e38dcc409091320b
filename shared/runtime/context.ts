import type { FileCache } from './cache.js';

/** What an operation may use of the world. Domain code never imports @actions/core. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /**
   * How far a long step is (runtime/progress.ts), one call per batch; the last call passes
   * done === total. Optional: a quiet logger (tests, the model server) leaves it out.
   */
  progress?(step: string, done: number, total?: number, unit?: string): void;
}

export interface Context {
  log: Logger;
  /** Directory relative paths are resolved against (GITHUB_WORKSPACE on a runner, cwd in the CLI). */
  workspace: string;
  /** Scratch space removed by nobody in particular (RUNNER_TEMP or the OS temp dir). */
  tempDir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The Actions cache on a runner, a local directory elsewhere. */
  cache: FileCache;
  /** Hide a credential derived at run time (a registry token) from every later log line. */
  mask(secret: string): void;
}

/** A file position an annotation points at. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  column?: number;
}

/** What an operation returns; the adapters turn it into outputs, a summary and an exit code. */
export interface ActionResult {
  outputs: Record<string, string>;
  /** Markdown for the job summary (CLI: printed). Everything user-derived already escaped. */
  summary: string;
  annotations: Annotation[];
  /** Set when the step must fail (exit 1) although the operation itself ran fine. */
  failure?: string;
}
