/**
 * Small images kept decoded between epochs. Decoding a 28-pixel PNG through sharp costs about
 * 1 ms of CPU, and the whole crop-resize-flip pipeline 2.5 ms: on two cores, more than the small
 * CNN's training step per image. So an image no larger than twice the model's input on each side
 * is decoded once (upright, RGB) and each epoch's random crop is resampled from memory
 * (images/resample.ts); its evaluation input, the same every epoch, is kept as sharp made it, so
 * the validation figures stay those of `shiwake evaluate`. Larger images, and any past the memory
 * budget, go through sharp every time, as before. The plainest PNGs skip sharp altogether
 * (decodeWholeRgb: images/plainPng.ts).
 */
import os from 'node:os';
import { decodeWholeRgb } from '../images/modelInput.js';
import type { Pixels } from '../images/resample.js';

/** at most this share of the machine's memory, and at most 2 GiB */
const BUDGET = Math.min(2 * 1024 ** 3, os.totalmem() / 8);

export interface CachedSample {
  file: string;
  format: string | null;
  /** as imported (before EXIF orientation); absent: unknown, never cached */
  width?: number;
  height?: number;
}

/** bytes of the blocks small images are copied into */
const SLAB = 16 * 1024 * 1024;

export class PixelCache {
  private used = 0;
  /**
   * Kept pixels live in large blocks: 70,000 small arrays each with its own buffer kept the
   * trainer's thread in the garbage collector for about a fifth of an epoch.
   */
  private slab = new Uint8Array(0);
  private slabUsed = 0;
  private readonly originals = new Map<string, Pixels>();
  private readonly prepared = new Map<string, Uint8Array>();

  constructor(
    /** the model's input side */
    readonly imageSize: number,
    private readonly budget = BUDGET,
  ) {}

  /** small enough to keep decoded */
  keeps(s: CachedSample): boolean {
    return s.width !== undefined && s.height !== undefined && Math.max(s.width, s.height) <= 2 * this.imageSize;
  }

  /** bytes held */
  get size(): number {
    return this.used;
  }

  /** The whole image, upright, RGB: from memory after the first time. */
  async original(s: CachedSample): Promise<Pixels> {
    const hit = this.originals.get(s.file);
    if (hit) return hit;
    const pixels = await decodeWholeRgb(s.file, s.format);
    this.keep(() => this.originals.set(s.file, { ...pixels, data: this.inSlab(pixels.data) }), pixels.data.byteLength);
    return pixels;
  }

  /** An input made once by `make` (an evaluation crop: `key` names the file, size and crop), then from memory. */
  async input(key: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = this.prepared.get(key);
    if (hit) return hit;
    const rgb = await make();
    this.keep(() => this.prepared.set(key, this.inSlab(rgb)), rgb.byteLength);
    return rgb;
  }

  /** A copy of `bytes` in the current block (a new block when it is full; a large image gets its own). */
  private inSlab(bytes: Uint8Array): Uint8Array {
    if (bytes.byteLength > SLAB / 16) return bytes;
    if (this.slabUsed + bytes.byteLength > this.slab.byteLength) {
      this.slab = new Uint8Array(SLAB);
      this.slabUsed = 0;
    }
    const copy = this.slab.subarray(this.slabUsed, this.slabUsed + bytes.byteLength);
    copy.set(bytes);
    this.slabUsed += bytes.byteLength;
    return copy;
  }

  private keep(store: () => void, bytes: number): void {
    if (this.used + bytes > this.budget) return;
    store();
    this.used += bytes;
  }
}
