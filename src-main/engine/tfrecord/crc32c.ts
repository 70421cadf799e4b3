/**
 * CRC32C (Castagnoli), as TFRecord framing needs it. The one importer of @node-rs/crc32,
 * which uses the CPU's CRC instructions; a table-driven JavaScript version stands in
 * where that native module cannot load, and checks it in the tests.
 */
import { createRequire } from 'node:module';

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** `previous` continues a CRC over more data: crc(a + b) === crc(b, crc(a)). */
export function crc32cJs(data: Uint8Array, previous = 0): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

type Native = (input: Buffer, initial?: number) => number;
const native: Native | undefined = (() => {
  try {
    return (createRequire(import.meta.url)('@node-rs/crc32') as { crc32c: Native }).crc32c;
  } catch {
    return undefined;
  }
})();

export const crc32cImplementation = native ? 'native (@node-rs/crc32)' : 'JavaScript';

export function crc32c(data: Uint8Array, previous = 0): number {
  if (native) return native(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength), previous) >>> 0;
  return crc32cJs(data, previous);
}

/** TFRecord's masked CRC: rotate right by 15 bits and add a constant. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}
