/**
 * The plain-PNG decoder (images/plainPng.ts) against sharp, on PNGs sharp writes: the same RGB
 * bytes for every kind it takes (grey, grey + alpha, RGB, RGBA, palette; every row filter, as
 * libpng's encoder picks them per row on noise and gradients), and null for the kinds it leaves
 * to sharp (16 bits, interlaced, a colour profile) and for damaged files.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeWholeRgb } from '../../src-main/engine/images/modelInput.js';
import { decodePlainPng } from '../../src-main/engine/images/plainPng.js';
import { tempDir } from '../fixtures/tmp.js';

/** noise over a gradient: every row filter gets chosen somewhere */
function picture(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number): Buffer {
  let s = seed;
  const px = Buffer.alloc(width * height * channels);
  for (let i = 0; i < px.length; i++) {
    s = (s * 16807) % 2147483647;
    const pixel = Math.floor(i / channels);
    px[i] = ((pixel % width) * 7 + Math.floor(pixel / width) * 3 + (s % 40)) & 255;
  }
  return px;
}

const sharpRgb = async (png: Buffer): Promise<Uint8Array> => new Uint8Array(await sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer());

describe('plain PNGs in JavaScript', () => {
  const kinds: [string, (w: number, h: number, seed: number) => Promise<Buffer>][] = [
    ['grey', (w, h, seed) => sharp(picture(w, h, 1, seed), { raw: { width: w, height: h, channels: 1 } }).png().toBuffer()],
    ['grey + alpha', (w, h, seed) => sharp(picture(w, h, 2, seed), { raw: { width: w, height: h, channels: 2 } }).png().toBuffer()],
    ['RGB', (w, h, seed) => sharp(picture(w, h, 3, seed), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer()],
    ['RGBA', (w, h, seed) => sharp(picture(w, h, 4, seed), { raw: { width: w, height: h, channels: 4 } }).png().toBuffer()],
    ['palette', (w, h, seed) => sharp(picture(w, h, 3, seed), { raw: { width: w, height: h, channels: 3 } }).png({ palette: true, colours: 64 }).toBuffer()],
    ['RGB, fast compression', (w, h, seed) => sharp(picture(w, h, 3, seed), { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 1, adaptiveFiltering: true }).toBuffer()],
  ];
  for (const [kind, make] of kinds) {
    it(`decodes ${kind} exactly as sharp does`, async () => {
      for (const [w, h, seed] of [[28, 28, 1], [1, 1, 2], [33, 7, 3], [64, 48, 4]] as const) {
        const png = await make(w, h, seed);
        const plain = decodePlainPng(png);
        expect(plain, `${kind} ${w}x${h}`).not.toBeNull();
        expect(plain!.width).toBe(w);
        expect(plain!.height).toBe(h);
        expect(Buffer.from(plain!.data).equals(Buffer.from(await sharpRgb(png))), `${kind} ${w}x${h}`).toBe(true);
      }
    });
  }

  it('leaves 16-bit, interlaced and colour-managed PNGs, and damaged or other files, to sharp', async () => {
    const rgb = (w: number, h: number) => sharp(picture(w, h, 3, 5), { raw: { width: w, height: h, channels: 3 } });
    expect(decodePlainPng(await rgb(8, 8).png({ progressive: true }).toBuffer())).toBeNull();
    expect(decodePlainPng(await rgb(8, 8).toColourspace('rgb16').png().toBuffer())).toBeNull();
    expect(decodePlainPng(await rgb(8, 8).withIccProfile('p3').png().toBuffer())).toBeNull();
    const png = await rgb(16, 16).png().toBuffer();
    expect(decodePlainPng(png.subarray(0, png.length - 30))).toBeNull(); // truncated inside the data
    const flipped = Buffer.from(png);
    flipped[60]! ^= 0x10; // a bit of the image data changed: its chunk's CRC no longer matches
    expect(decodePlainPng(flipped)).toBeNull();
    expect(decodePlainPng(await rgb(8, 8).jpeg().toBuffer())).toBeNull();
    expect(decodePlainPng(Buffer.alloc(0))).toBeNull();
  });

  it('is what the training pipeline decodes small PNGs with, and sharp still takes the rest with its own errors', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.png');
    const png = await sharp(picture(20, 20, 1, 6), { raw: { width: 20, height: 20, channels: 1 } }).png().toBuffer();
    fs.writeFileSync(file, png);
    expect(Buffer.from((await decodeWholeRgb(file, 'png')).data).equals(Buffer.from(await sharpRgb(png)))).toBe(true);
    const broken = path.join(dir, 'broken.png');
    fs.writeFileSync(broken, png.subarray(0, 40));
    await expect(decodeWholeRgb(broken, 'png')).rejects.toThrow();
  });
});
