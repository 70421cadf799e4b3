/**
 * A decoder for the plainest PNGs only: 8 bits a sample, not interlaced, grey, grey and alpha,
 * RGB, RGBA or palette, with no colour profile, gamma, chromaticities or EXIF. Such a file gives
 * the same RGB bytes as sharp's decode with the alpha channel dropped (checked in
 * test/unit/plain-png.test.ts), at a fraction of the cost for a small image: sharp spends about
 * 1 ms of CPU on any image, which was most of the first epoch on Fashion-MNIST's 28-pixel PNGs
 * (70,000 of them: 76 s of a 148 s epoch on two cores). Anything else returns null, and the caller
 * goes through sharp: so does a chunk whose CRC does not match, so a damaged file gets sharp's error.
 */
import zlib from 'node:zlib';
import type { Pixels } from './resample.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** chunks that make sharp's pixels differ from the stored samples (colour management, orientation) */
const DECLINED = new Set(['iCCP', 'gAMA', 'cHRM', 'eXIf', 'sBIT']);
/** samples per pixel by colour type: grey, RGB, palette, grey + alpha, RGBA */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** the CRC-32 of PNG chunks (zlib.crc32 needs Node 20.15) */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function decodePlainPng(buf: Uint8Array): Pixels | null {
  if (buf.length < 33 || !SIGNATURE.equals(buf.subarray(0, 8))) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let width = 0;
  let height = 0;
  let colourType = -1;
  let palette: Uint8Array | null = null;
  const data: Uint8Array[] = [];
  for (let at = 8; at + 12 <= buf.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(buf[at + 4]!, buf[at + 5]!, buf[at + 6]!, buf[at + 7]!);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (body.length !== length || at + 12 + length > buf.length || crc32(buf.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return null;
    if (type === 'IHDR') {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colour, compression, filter, interlace] = body.subarray(8, 13);
      if (depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0 || SAMPLES[colour!] === undefined) return null;
      colourType = colour!;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    else if (DECLINED.has(type)) return null;
    at += 12 + length;
  }
  if (width === 0 || height === 0 || colourType < 0 || data.length === 0 || (colourType === 3 && !palette)) return null;
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(data.length === 1 ? data[0]! : Buffer.concat(data));
  } catch {
    return null;
  }
  const samples = SAMPLES[colourType]!;
  const stride = width * samples;
  if (raw.length < height * (stride + 1)) return null;
  const rows = unfilter(raw, height, stride, samples);
  if (!rows) return null;
  const rgb = toRgb(rows, width * height, colourType, samples, palette);
  return rgb && { data: rgb, width, height };
}

/** The rows without their filter bytes, each filter undone (PNG spec, section 9). */
function unfilter(raw: Uint8Array, height: number, stride: number, bpp: number): Uint8Array | null {
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[up + x]! : 0;
      const c = x >= bpp && y > 0 ? out[up + x - bpp]! : 0;
      const v = raw[src + x]!;
      switch (filter) {
        case 0: out[row + x] = v; break;
        case 1: out[row + x] = v + a; break;
        case 2: out[row + x] = v + b; break;
        case 3: out[row + x] = v + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out[row + x] = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: return null;
      }
    }
  }
  return out;
}

/** RGB bytes, the alpha channel dropped and a palette looked up, as sharp's removeAlpha gives them */
function toRgb(samples: Uint8Array, pixels: number, colourType: number, perPixel: number, palette: Uint8Array | null): Uint8Array | null {
  if (colourType === 2) return samples;
  const rgb = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const s = i * perPixel;
    const d = i * 3;
    if (colourType === 3) {
      const p = samples[s]! * 3;
      if (p + 2 >= palette!.length) return null; // an index past the palette: sharp decides
      rgb[d] = palette![p]!;
      rgb[d + 1] = palette![p + 1]!;
      rgb[d + 2] = palette![p + 2]!;
    } else if (colourType === 6) {
      rgb[d] = samples[s]!;
      rgb[d + 1] = samples[s + 1]!;
      rgb[d + 2] = samples[s + 2]!;
    } else {
      // grey, with or without alpha
      rgb[d] = rgb[d + 1] = rgb[d + 2] = samples[s]!;
    }
  }
  return rgb;
}
