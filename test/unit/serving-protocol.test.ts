import { describe, expect, it } from 'vitest';
import { Batcher, type Tensors } from '../../shared/serving/batcher.js';
import { configFromEnv } from '../../shared/serving/config.js';
import {
  type Datatype,
  HttpError,
  batchRows,
  concatData,
  decodeInputs,
  encodeTensor,
  flattenData,
  inferRequestSchema,
  parseBody,
  parseInferRequest,
  toTensorData,
} from '../../shared/serving/protocol.js';
import type { Logger } from '../../shared/runtime/context.js';

const silent: Logger = { info: () => {}, warn: () => {}, debug: () => {}, group: (_n, fn) => fn() };

describe('parseInferRequest', () => {
  const input = { name: 'x', shape: [1, 2], datatype: 'FP32', data: [1, 2] };
  // Each body gives what the schema gives: the same request, or the same 400.
  it.each([
    ['the common request', { inputs: [input] }],
    ['id, parameters, outputs', { id: 'r1', parameters: { binary_data_output: true }, inputs: [{ ...input, parameters: { binary_data_size: 8 }, data: undefined }], outputs: [{ name: 'y', parameters: { binary_data: false } }] }],
    ['an unknown top-level key (dropped)', { inputs: [input], extra: 1 }],
    ['an unknown input key (dropped)', { inputs: [{ ...input, note: 'hi' }] }],
    ['an unknown output key (dropped)', { inputs: [input], outputs: [{ name: 'y', x: 1 }] }],
    ['no inputs', { inputs: [] }],
    ['inputs missing', {}],
    ['not an object', [input]],
    ['null', null],
    ['id a number', { id: 7, inputs: [input] }],
    ['id null', { id: null, inputs: [input] }],
    ['empty name', { inputs: [{ ...input, name: '' }] }],
    ['datatype a number', { inputs: [{ ...input, datatype: 1 }] }],
    ['negative dimension', { inputs: [{ ...input, shape: [-1, 2] }] }],
    ['fractional dimension', { inputs: [{ ...input, shape: [1.5, 2] }] }],
    ['huge dimension', { inputs: [{ ...input, shape: [2 ** 60, 2] }] }],
    ['dimension a string', { inputs: [{ ...input, shape: ['1', 2] }] }],
    ['shape missing', { inputs: [{ name: 'x', datatype: 'FP32', data: [1] }] }],
    ['data not a list', { inputs: [{ ...input, data: 1 }] }],
    ['parameters a list', { parameters: [], inputs: [input] }],
    ['input parameters null', { inputs: [{ ...input, parameters: null }] }],
    ['outputs not a list', { inputs: [input], outputs: { name: 'y' } }],
    ['output without a name', { inputs: [input], outputs: [{}] }],
  ])('%s', (_what, body) => {
    const json = JSON.parse(JSON.stringify(body)) as unknown;
    const outcome = (f: () => unknown) => {
      try {
        return { ok: f() };
      } catch (e) {
        return { error: (e as HttpError).message, status: (e as HttpError).status };
      }
    };
    expect(outcome(() => parseInferRequest(json))).toEqual(outcome(() => parseBody(inferRequestSchema, json, 'inference request')));
  });
});

describe('flattenData', () => {
  it.each([
    ['flat', [1, 2, 3, 4], [2, 2], [1, 2, 3, 4]],
    ['nested [2, 2]', [[1, 2], [3, 4]], [2, 2], [1, 2, 3, 4]],
    ['nested [2, 1, 2]', [[[1, 2]], [[3, 4]]], [2, 1, 2], [1, 2, 3, 4]],
    ['empty', [], [0, 3], []],
  ])('%s', (_what, data, shape, flat) => {
    expect(flattenData(data, shape, 'x')).toEqual(flat);
  });

  it.each([
    ['ragged', [[1, 2], [3]], [2, 2]],
    ['too deep', [[[1]], [[2]]], [2, 1]],
    ['too shallow', [[1, 2], 3], [2, 2]],
    ['wrong outer length', [[1], [2], [3]], [2, 1]],
  ])('refuses %s nesting', (_what, data, shape) => {
    expect(() => flattenData(data, shape, 'x')).toThrow(/input "x": nested data does not follow shape/);
  });
});

describe('toTensorData', () => {
  it.each<[Datatype, unknown[], unknown[]]>([
    ['FP32', [1.5, null, -2], [1.5, NaN, -2]],
    ['FP64', [0.1], [0.1]],
    ['FP16', [0.5], [0.5]],
    ['INT8', [-128, 127], [-128, 127]],
    ['UINT16', [0, 65535], [0, 65535]],
    ['INT32', [-5], [-5]],
    ['INT64', [3, '-9007199254740993'], [3n, -9007199254740993n]],
    ['UINT64', ['18446744073709551615'], [18446744073709551615n]],
    ['BOOL', [true, false, 1, 0], [1, 0, 1, 0]],
    ['BYTES', ['a', ''], ['a', '']],
  ])('converts %s', (datatype, values, expected) => {
    expect(Array.from(toTensorData(datatype, values, 'x') as ArrayLike<unknown>)).toEqual(expected);
  });

  it.each<[Datatype, unknown[], RegExp]>([
    ['FP32', [1, 'a'], /x: element 1 is "a", expected a number for datatype FP32/],
    ['INT8', [128], /element 0 is 128, expected an integer in \[-128, 127\]/],
    ['UINT8', [-1], /expected an integer in \[0, 255\]/],
    ['INT32', [1.5], /expected an integer/],
    ['INT64', ['9223372036854775808'], /expected an integer in range/],
    ['UINT64', [-1], /expected an integer in range/],
    ['BOOL', ['true'], /expected true or false/],
    ['BYTES', [1], /expected a string/],
  ])('refuses bad %s elements', (datatype, values, message) => {
    expect(() => toTensorData(datatype, values, 'x')).toThrow(message);
  });
});

describe('decodeInputs', () => {
  const specs = [
    { name: 'a', datatype: 'FP32' as const, shape: [-1, 2] },
    { name: 'b', datatype: 'INT64' as const, shape: [-1] },
  ];
  const req = (inputs: unknown[]) => parseBody(inferRequestSchema, { inputs }, 'inference request');

  it('decodes inputs that match the signature', () => {
    const out = decodeInputs(
      req([
        { name: 'a', datatype: 'FP32', shape: [2, 2], data: [[1, 2], [3, 4]] },
        { name: 'b', datatype: 'INT64', shape: [2], data: [7, 8] },
      ]),
      specs,
    );
    expect(out.a).toEqual({ datatype: 'FP32', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) });
    expect(out.b!.data).toEqual(BigInt64Array.from([7n, 8n]));
    expect(batchRows(out)).toBe(2);
  });

  it.each([
    [[{ name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] }], /missing input b \(INT64 \[-1\]\)/],
    [[{ name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] }, { name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2] }], /input "a" is given twice/],
    [[{ name: 'c', datatype: 'FP32', shape: [1], data: [1] }], /unknown input "c"; the model's inputs are a \(FP32 \[-1, 2\]\), b \(INT64 \[-1\]\)/],
    [[{ name: 'a', datatype: 'FP64', shape: [1, 2], data: [1, 2] }], /input "a": expected datatype FP32, got FP64/],
    [[{ name: 'a', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }], /input "a": expected shape \[-1, 2\] \(-1: any size\), got \[1, 3\]/],
    [[{ name: 'a', datatype: 'FP32', shape: [2, 2], data: [1, 2] }], /input "a": shape \[2, 2\] holds 4 elements, data has 2/],
    [[{ name: 'a', datatype: 'FP32', shape: [1, 2] }], /input "a" has no data \(nor parameters\.binary_data_size\)/],
    [[{ name: 'a', datatype: 'FP32', shape: [1, 2], data: [1, 2], parameters: { binary_data_size: 8 } }], /input "a" has both data and parameters\.binary_data_size; give one/],
  ])('refuses %j', (inputs, message) => {
    const e = (() => {
      try {
        decodeInputs(req(inputs), specs);
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    expect((e as HttpError).message).toMatch(message);
  });

  it('refuses a request that is not an inference request, naming the field', () => {
    expect(() => parseBody(inferRequestSchema, { inputs: [{ name: 'a', shape: [1], datatype: 'FP32', data: 1 }] }, 'inference request')).toThrow(/invalid inference request: inputs\.0\.data:/);
    expect(() => parseBody(inferRequestSchema, { inputs: [{ name: 'a', shape: [-1], datatype: 'FP32', data: [] }] }, 'inference request')).toThrow(/inputs\.0\.shape\.0/);
  });
});

describe('encodeTensor and concatData', () => {
  it('writes 64-bit integers as numbers and BOOL as booleans', () => {
    expect(encodeTensor('n', { datatype: 'INT64', shape: [2], data: BigInt64Array.from([1n, -2n]) }).data).toEqual([1, -2]);
    expect(encodeTensor('b', { datatype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) }).data).toEqual([true, false]);
    expect(encodeTensor('s', { datatype: 'BYTES', shape: [1], data: ['x'] })).toEqual({ name: 's', datatype: 'BYTES', shape: [1], data: ['x'] });
  });

  it('concatenates typed and string data', () => {
    expect(concatData([Float32Array.from([1]), Float32Array.from([2, 3])])).toEqual(Float32Array.from([1, 2, 3]));
    expect(concatData([['a'], ['b', 'c']])).toEqual(['a', 'b', 'c']);
  });
});

describe('Batcher', () => {
  const rowsOf = (values: number[]): Tensors => ({ x: { datatype: 'FP32', shape: [values.length, 1], data: Float32Array.from(values) } });
  /** A model that doubles x; label = "r<value>". Records the batch sizes it ran. */
  const fakeModel = (runs: number[]) => async (inputs: Tensors, rows: number): Promise<Tensors> => {
    runs.push(rows);
    const x = inputs.x!.data as Float32Array;
    return {
      y: { datatype: 'FP32', shape: [rows, 1], data: x.map((v) => v * 2) },
      label: { datatype: 'BYTES', shape: [rows], data: Array.from(x, (v) => `r${v}`) },
    };
  };

  it('merges requests within the timeout and splits the outputs back per request', async () => {
    const runs: number[] = [];
    const b = new Batcher(fakeModel(runs), { maxBatchSize: 100, timeoutMs: 20 });
    const [a, c, d] = await Promise.all([b.submit(rowsOf([1]), 1), b.submit(rowsOf([2, 3]), 2), b.submit(rowsOf([4]), 1)]);
    expect(runs).toEqual([4]);
    expect(a!.y).toEqual({ datatype: 'FP32', shape: [1, 1], data: Float32Array.from([2]) });
    expect(c!.y!.data).toEqual(Float32Array.from([4, 6]));
    expect(c!.label).toEqual({ datatype: 'BYTES', shape: [2], data: ['r2', 'r3'] });
    expect(d!.label!.data).toEqual(['r4']);
  });

  it('runs at once when the batch is full, and never merges beyond maxBatchSize', async () => {
    const runs: number[] = [];
    const b = new Batcher(fakeModel(runs), { maxBatchSize: 4, timeoutMs: 10_000 });
    const results = await Promise.all([b.submit(rowsOf([1, 2]), 2), b.submit(rowsOf([3, 4]), 2), b.submit(rowsOf([5, 6, 7, 8, 9]), 5)]);
    expect(runs.sort()).toEqual([4, 5]);
    expect(results.map((r) => Array.from(r.y!.data as Float32Array))).toEqual([[2, 4], [6, 8], [10, 12, 14, 16, 18]]);
    // A request that would overflow the waiting batch sends that one off first.
    const p1 = b.submit(rowsOf([1, 2, 3]), 3);
    const p2 = b.submit(rowsOf([4, 5]), 2);
    await p1;
    b.flush();
    await p2;
    expect(runs.slice(2)).toEqual([3, 2]);
  });

  it('keeps requests of different trailing shapes apart and passes errors to every merged request', async () => {
    const runs: number[] = [];
    const b = new Batcher(fakeModel(runs), { maxBatchSize: 100, timeoutMs: 10 });
    const wide: Tensors = { x: { datatype: 'FP32', shape: [1, 2], data: Float32Array.from([1, 2]) } };
    await Promise.all([b.submit(rowsOf([1]), 1), b.submit(wide, 1)]);
    expect(runs).toEqual([1, 1]);

    const failing = new Batcher(async () => {
      throw new Error('boom');
    }, { maxBatchSize: 100, timeoutMs: 10 });
    const settled = await Promise.allSettled([failing.submit(rowsOf([1]), 1), failing.submit(rowsOf([2]), 1)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('configFromEnv', () => {
  it('applies the defaults', () => {
    const c = configFromEnv({}, silent);
    expect(c).toMatchObject({
      modelPath: '/models/model.onnx',
      manifestPath: '/models/mlops-model.json',
      modelName: null,
      port: 8080,
      host: '0.0.0.0',
      maxBodyBytes: 10 * 1024 * 1024,
      maxBatchSize: 0,
      batchTimeoutMs: 0,
      predictionLog: null,
      predictionLogSample: 1,
    });
  });

  it('reads every variable', () => {
    const c = configFromEnv(
      {
        MODEL_PATH: '/m/x.onnx',
        MODEL_NAME: 'weather',
        MODEL_VERSION: '1.2.0',
        PORT: '9000',
        HOST: '127.0.0.1',
        MAX_BODY_BYTES: '1024',
        MAX_BATCH_SIZE: '32',
        BATCH_TIMEOUT_MS: '5',
        PREDICTION_LOG: 'stdout',
        PREDICTION_LOG_SAMPLE: '0.1',
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '1000',
        MODEL_MANIFEST: '',
      },
      silent,
    );
    expect(c).toMatchObject({ modelPath: '/m/x.onnx', modelName: 'weather', modelVersion: '1.2.0', port: 9000, host: '127.0.0.1', maxBodyBytes: 1024, maxBatchSize: 32, batchTimeoutMs: 5, predictionLog: 'stdout', predictionLogSample: 0.1, shutdownTimeoutMs: 1000, manifestPath: '/models/mlops-model.json' });
  });

  it.each([
    [{ PORT: '80a' }, /PORT: PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be at most 65535/],
    [{ PREDICTION_LOG_SAMPLE: '1.5' }, /PREDICTION_LOG_SAMPLE must be a number from 0 to 1/],
    [{ MAX_BODY_BYTES: '0' }, /MAX_BODY_BYTES must be at least 1/],
    [{ MODEL_NAME: 'a/b' }, /MODEL_NAME may hold/],
  ])('refuses %j', (env, message) => {
    expect(() => configFromEnv(env, silent)).toThrow(message);
  });
});
