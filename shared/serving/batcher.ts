import { type HostTensor, concatData, sliceData } from './protocol.js';

export type Tensors = Record<string, HostTensor>;

/** Runs the model on a (possibly merged) batch of `rows` rows. */
export type BatchRunner = (inputs: Tensors, rows: number) => Promise<Tensors>;

export interface BatcherOptions {
  maxBatchSize: number;
  timeoutMs: number;
}

interface Job {
  inputs: Tensors;
  rows: number;
  resolve(out: Tensors): void;
  reject(e: unknown): void;
}

interface Queue {
  jobs: Job[];
  rows: number;
  timer: NodeJS.Timeout | null;
}

/**
 * Dynamic batching: requests that arrive within `timeoutMs` of the first waiting one are merged
 * along dimension 0, up to `maxBatchSize` rows, run once, and the outputs split back by rows.
 * Only requests whose inputs agree on names, datatypes and trailing dimensions are merged.
 */
export class Batcher {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly run: BatchRunner,
    private readonly opts: BatcherOptions,
  ) {}

  submit(inputs: Tensors, rows: number): Promise<Tensors> {
    if (rows >= this.opts.maxBatchSize) return this.run(inputs, rows);
    const key = compatibilityKey(inputs);
    const waiting = this.queues.get(key);
    // This request would overflow the waiting batch: send that one off and start the next.
    if (waiting && waiting.rows + rows > this.opts.maxBatchSize) this.dispatch(key);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { jobs: [], rows: 0, timer: null };
      this.queues.set(key, queue);
    }
    const q = queue;
    return new Promise<Tensors>((resolve, reject) => {
      q.jobs.push({ inputs, rows, resolve, reject });
      q.rows += rows;
      if (q.rows >= this.opts.maxBatchSize) this.dispatch(key);
      else if (!q.timer) q.timer = setTimeout(() => this.dispatch(key), this.opts.timeoutMs);
    });
  }

  /** Run whatever is waiting now (shutdown: nobody should wait for a timer). */
  flush(): void {
    for (const key of [...this.queues.keys()]) this.dispatch(key);
  }

  private dispatch(key: string): void {
    const queue = this.queues.get(key);
    if (!queue) return;
    this.queues.delete(key);
    if (queue.timer) clearTimeout(queue.timer);
    const { jobs } = queue;
    if (jobs.length === 0) return;
    if (jobs.length === 1) {
      const job = jobs[0]!;
      this.run(job.inputs, job.rows).then(job.resolve, job.reject);
      return;
    }
    const merged: Tensors = {};
    for (const [name, first] of Object.entries(jobs[0]!.inputs)) {
      merged[name] = {
        datatype: first.datatype,
        shape: [queue.rows, ...first.shape.slice(1)],
        data: concatData(jobs.map((j) => j.inputs[name]!.data)),
      };
    }
    this.run(merged, queue.rows).then(
      (out) => {
        let offset = 0;
        for (const job of jobs) {
          job.resolve(splitRows(out, queue.rows, offset, job.rows));
          offset += job.rows;
        }
      },
      (e: unknown) => {
        for (const job of jobs) job.reject(e);
      },
    );
  }
}

/** Rows [offset, offset + rows) of every output that has one row per input row. */
export function splitRows(out: Tensors, total: number, offset: number, rows: number): Tensors {
  const part: Tensors = {};
  for (const [name, t] of Object.entries(out)) {
    if (t.shape[0] !== total || total === 0) {
      part[name] = t;
      continue;
    }
    const perRow = t.data.length / total;
    part[name] = { datatype: t.datatype, shape: [rows, ...t.shape.slice(1)], data: sliceData(t.data, offset * perRow, (offset + rows) * perRow) };
  }
  return part;
}

function compatibilityKey(inputs: Tensors): string {
  return Object.entries(inputs)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, t]) => `${name}:${t.datatype}:${t.shape.slice(1).join('x')}`)
    .join('|');
}
