import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from '../runtime/context.js';
import type { Prediction } from './model.js';

/** One line of the prediction log (docs/serving.md documents it; drift checks read it). */
export interface PredictionRecord {
  time: string;
  model: string;
  version: string;
  /** The request's id (the Open Inference Protocol `id`, or one the server made up). */
  id: string;
  /** Position of the row in its request. */
  row: number;
  /** Feature -> value; a missing number (NaN) is null. */
  inputs: Record<string, number | string | boolean | null>;
  outputs: Prediction;
}

export interface PredictionLogOptions {
  /** `stdout` or a file path, appended to. */
  target: string;
  /** Fraction of rows written, 0..1. */
  sample: number;
  log: Logger;
  /** For tests: a source of uniform numbers in [0, 1). */
  random?: () => number;
}

/** Lines waiting to be written beyond this are dropped (the log must never take the server down). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Sampled JSON Lines, one object per predicted row, whole lines only. The lines of all requests
 * answered in one turn of the event loop go out in one write (a write per request cost a tenth of
 * the server's time under load).
 */
export class PredictionLog {
  private readonly stream: Writable;
  private readonly ownsStream: boolean;
  private readonly random: () => number;
  private dropped = 0;
  private failed = false;
  /** Lines not yet handed to the stream, and their length. */
  private pending: string[] = [];
  private pendingLength = 0;
  private flushing: NodeJS.Immediate | null = null;

  constructor(private readonly o: PredictionLogOptions) {
    this.random = o.random ?? Math.random;
    if (o.target === 'stdout') {
      this.stream = process.stdout;
      this.ownsStream = false;
    } else {
      fs.mkdirSync(path.dirname(path.resolve(o.target)), { recursive: true });
      this.stream = fs.createWriteStream(o.target, { flags: 'a' });
      this.ownsStream = true;
    }
    this.stream.on('error', (e) => {
      if (!this.failed) o.log.warn(`prediction log ${o.target}: ${e.message}; further predictions are not logged`);
      this.failed = true;
    });
  }

  /** Whether any row of a request of `rows` rows would be kept: callers skip building records otherwise. */
  get enabled(): boolean {
    return this.o.sample > 0 && !this.failed;
  }

  /** Choose the rows to keep, each with probability `sample`. */
  sampleRows(rows: number): number[] {
    if (!this.enabled) return [];
    const keep: number[] = [];
    for (let r = 0; r < rows; r++) if (this.o.sample >= 1 || this.random() < this.o.sample) keep.push(r);
    return keep;
  }

  write(records: PredictionRecord[]): void {
    if (records.length === 0 || this.failed) return;
    if (this.stream.writableLength + this.pendingLength > MAX_BUFFERED_BYTES) {
      if (this.dropped++ === 0) this.o.log.warn(`prediction log ${this.o.target} cannot keep up; dropping lines until it does`);
      return;
    }
    if (this.dropped) {
      this.o.log.warn(`prediction log ${this.o.target}: ${this.dropped} request(s) of predictions were dropped`);
      this.dropped = 0;
    }
    let lines = '';
    for (const r of records) lines += JSON.stringify(r) + '\n';
    this.pending.push(lines);
    this.pendingLength += lines.length;
    this.flushing ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    if (this.pending.length === 0) return;
    const text = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingLength = 0;
    if (!this.failed) this.stream.write(text);
  }

  async close(): Promise<void> {
    this.flush();
    if (!this.ownsStream) return;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}
