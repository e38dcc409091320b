import os from 'node:os';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * The one compression level we use: a different level is a different digest. 1, as crane's
 * (go-containerregistry's BestSpeed): on ONNX Runtime's 44 MiB it takes 0.45 CPU-s against
 * level 6's 0.99, for 8% more bytes (18.6 against 17.2 MiB); float weights barely shrink at
 * any level. Compression is most of a build's CPU, and CPU is what a 2-core runner lacks.
 */
export const GZIP_LEVEL = 1;
/**
 * Input bytes per deflate block. Part of the format, like the level: blocks are compressed
 * independently (in parallel), so another block size gives other bytes.
 */
export const GZIP_BLOCK = 1 << 20;
/** deflate's window: each block starts with the previous block's last 32 KiB as its dictionary. */
const WINDOW = 32 * 1024;
/** ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown): no name, no time, no host. */
export const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);

const deflateRaw = promisify(zlib.deflateRaw) as (input: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>;

/** One block as raw deflate: continued from `previous` (its tail is the dictionary), ended with a sync flush unless `last`. */
function deflateBlock(block: Buffer, previous: Buffer | undefined, last: boolean): Promise<Buffer> {
  return deflateRaw(block, {
    level: GZIP_LEVEL,
    memLevel: 8,
    windowBits: 15,
    strategy: zlib.constants.Z_DEFAULT_STRATEGY,
    // Output in one piece: the default 16 KiB chunks cost a callback each on the main thread.
    chunkSize: GZIP_BLOCK + WINDOW,
    finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
    ...(previous ? { dictionary: previous.subarray(previous.length - WINDOW) } : {}),
  });
}

/**
 * A deterministic gzip stream, compressed on several threads as pigz does: the input is cut into
 * GZIP_BLOCK blocks, each deflated on its own (libuv's thread pool, `parallel` at a time) with
 * the previous block's last 32 KiB as its dictionary and a sync flush at its end, so the blocks
 * concatenate into one deflate stream that any gunzip reads. The bytes depend only on the input
 * (and zlib), never on the thread count or on how the input arrives; an input of one block
 * gives what a single deflate gives. Framed by our fixed header and the CRC-32/ISIZE trailer.
 */
export function gzipBlocks(parallel = os.availableParallelism()) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let crc = 0;
    let size = 0;
    const inFlight: Promise<Buffer>[] = [];
    let previous: Buffer | undefined;
    // The newest full block waits until more input shows whether it is the last.
    let held: Buffer | undefined;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const submit = (block: Buffer, last: boolean) => {
      const deflated = deflateBlock(block, previous, last);
      // Awaited in order below; until then a failure must not count as unhandled.
      deflated.catch(() => {});
      inFlight.push(deflated);
      previous = block;
    };
    yield GZIP_HEADER;
    for await (const chunk of source) {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      let rest = chunk;
      while (rest.length > 0) {
        if (held) {
          submit(held, false);
          held = undefined;
          while (inFlight.length >= Math.max(1, parallel)) yield await inFlight.shift()!;
        }
        const take = Math.min(rest.length, GZIP_BLOCK - pendingBytes);
        pending.push(rest.subarray(0, take));
        pendingBytes += take;
        rest = rest.subarray(take);
        if (pendingBytes === GZIP_BLOCK) {
          held = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
      }
    }
    if (held && pendingBytes === 0) {
      submit(held, true);
    } else {
      if (held) submit(held, false);
      submit(Buffer.concat(pending, pendingBytes), true);
    }
    while (inFlight.length > 0) yield await inFlight.shift()!;
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    yield trailer;
  };
}
