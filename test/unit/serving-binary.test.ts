import { describe, expect, it } from 'vitest';
import { encodeInferReply, splitBody, tensorBytes, tensorDataFromBytes } from '../../shared/serving/binary.js';
import { replyCoding } from '../../shared/serving/body.js';
import { type HostTensor, requestedOutputs } from '../../shared/serving/protocol.js';

const le = (...bytes: number[]) => Buffer.from(bytes);

describe('binary tensor data: bytes <-> tensors', () => {
  it.each([
    ['FP32', new Float32Array([1.5, -2, NaN])],
    ['FP64', new Float64Array([1e300, -0.1])],
    ['INT64', new BigInt64Array([-(2n ** 63n), 2n ** 53n + 1n])],
    ['UINT64', new BigUint64Array([2n ** 64n - 1n])],
    ['INT32', new Int32Array([-7, 2147483647])],
    ['UINT8', new Uint8Array([0, 255])],
    ['INT8', new Int8Array([-128, 5])],
    ['UINT16', new Uint16Array([65535])],
    ['INT16', new Int16Array([-32768])],
    ['UINT32', new Uint32Array([4294967295])],
    ['BOOL', new Uint8Array([1, 0, 1])],
  ] as const)('%s round-trips through its little-endian bytes exactly', (datatype, data) => {
    const bytes = tensorBytes({ datatype, shape: [data.length], data } as HostTensor);
    expect(bytes.length).toBe(data.byteLength);
    const back = tensorDataFromBytes(datatype, bytes, data.length, 'x');
    expect(back.constructor).toBe(data.constructor);
    expect(Buffer.from((back as typeof data).buffer).equals(Buffer.from(data.buffer))).toBe(true);
  });

  it('FP16 arrives as half-precision bits and is held as float32', () => {
    // 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff (largest half)
    const data = tensorDataFromBytes('FP16', le(0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b), 3, 'x');
    expect(Array.from(data as Float32Array)).toEqual([1, -2, 65504]);
    expect(tensorBytes({ datatype: 'FP16', shape: [3], data })).toEqual(le(0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b));
  });

  it('BYTES: a 4-byte length before each UTF-8 element', () => {
    const bytes = tensorBytes({ datatype: 'BYTES', shape: [3], data: ['sun', '', 'pluie fine ☂'] });
    expect(bytes.subarray(0, 7)).toEqual(le(3, 0, 0, 0, 0x73, 0x75, 0x6e));
    expect(tensorDataFromBytes('BYTES', bytes, 3, 'x')).toEqual(['sun', '', 'pluie fine ☂']);
    expect(() => tensorDataFromBytes('BYTES', bytes, 4, 'input "w"')).toThrow(/input "w": binary data ends inside BYTES element 3 of 4/);
    expect(() => tensorDataFromBytes('BYTES', bytes, 2, 'input "w"')).toThrow(/holds 18 bytes after its 2 BYTES elements/);
    expect(() => tensorDataFromBytes('BYTES', le(1, 0, 0, 0, 0xff), 1, 'input "w"')).toThrow(/BYTES element 0 is not UTF-8 text/);
  });

  it('refuses a size that does not match the element count, and BOOL bytes other than 0 and 1', () => {
    expect(() => tensorDataFromBytes('FP32', Buffer.alloc(6), 2, 'input "t"')).toThrow(/input "t": binary_data_size is 6 bytes, but 2 FP32 elements take 8/);
    expect(() => tensorDataFromBytes('BOOL', le(0, 2), 2, 'input "b"')).toThrow(/element 1 is byte 2, expected 0 or 1/);
  });

  it('splits a body at Inference-Header-Content-Length', () => {
    const body = Buffer.concat([Buffer.from('{"a":1}'), le(1, 2, 3)]);
    expect(splitBody(body, '7')).toEqual({ json: { a: 1 }, binary: le(1, 2, 3) });
    expect(splitBody(Buffer.from('{"a":1}'), undefined)).toEqual({ json: { a: 1 }, binary: null });
    expect(() => splitBody(body, '-1')).toThrow(/must be the byte length of the JSON header at the start of the body \(at most 10\), got "-1"/);
  });

  it('writes binary outputs after the JSON header, in order, with their sizes', () => {
    const label: HostTensor = { datatype: 'BYTES', shape: [1], data: ['rain'] };
    const proba: HostTensor = { datatype: 'FP32', shape: [1, 2], data: new Float32Array([0.25, 0.75]) };
    const { body, headerLength } = encodeInferReply({ model_name: 'm', id: '1' }, [
      { name: 'label', tensor: label, binary: false },
      { name: 'p', tensor: proba, binary: true },
    ]);
    const head = JSON.parse(body.subarray(0, headerLength!).toString());
    expect(head.outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [1], data: ['rain'] },
      { name: 'p', datatype: 'FP32', shape: [1, 2], parameters: { binary_data_size: 8 } },
    ]);
    expect(body.subarray(headerLength!)).toEqual(Buffer.from(new Float32Array([0.25, 0.75]).buffer));
    expect(encodeInferReply({ model_name: 'm', id: '1' }, [{ name: 'label', tensor: label, binary: false }]).headerLength).toBeNull();
  });

  it('asks for binary outputs per output, else as binary_data_output says', () => {
    const specs = [
      { name: 'label', datatype: 'BYTES' as const, shape: [-1] },
      { name: 'p', datatype: 'FP32' as const, shape: [-1, 2] },
    ];
    const inputs = [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }];
    expect(requestedOutputs({ inputs, parameters: { binary_data_output: true } }, specs)).toEqual([
      { name: 'label', binary: true },
      { name: 'p', binary: true },
    ]);
    expect(requestedOutputs({ inputs, parameters: { binary_data_output: true }, outputs: [{ name: 'p', parameters: { binary_data: false } }] }, specs)).toEqual([{ name: 'p', binary: false }]);
    expect(requestedOutputs({ inputs }, specs).every((o) => !o.binary)).toBe(true);
    expect(() => requestedOutputs({ inputs, outputs: [{ name: 'p', parameters: { binary_data: 'yes' } }] }, specs)).toThrow(/output "p": parameters\.binary_data must be true or false, got "yes"/);
  });
});

describe('Accept-Encoding', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    ['gzip', 'gzip'],
    ['deflate', 'deflate'],
    ['gzip, deflate, br', 'gzip'],
    ['deflate;q=1, gzip;q=0.8', 'deflate'],
    ['gzip;q=0, deflate;q=0.1', 'deflate'],
    ['*', 'gzip'],
    ['*;q=0', null],
    ['br', null],
    ['x-gzip', 'gzip'],
  ])('%j -> %s', (header, coding) => {
    expect(replyCoding(header)).toBe(coding);
  });
});
