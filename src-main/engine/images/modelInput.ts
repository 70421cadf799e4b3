/**
 * Pixels for the model: decode (any supported format, EXIF orientation applied), crop,
 * optionally flip, resize to size x size, always 3 channels (grey and CMYK become RGB).
 */
import fs from 'node:fs';
import { openImage, type Pipeline } from './decode.js';
import { decodePlainPng } from './plainPng.js';

export interface Crop {
  /** fractions of the image: left, top, width, height in [0, 1] */
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The central `fraction` of each side (the reference evaluates on 0.875). */
export function centralCrop(fraction: number): Crop {
  const margin = (1 - fraction) / 2;
  return { left: margin, top: margin, width: fraction, height: fraction };
}

export async function decodeForModel(file: string, format: string | null, size: number, crop: Crop, flip: boolean): Promise<Uint8Array> {
  const img = await openImage(file, format); // auto-orients first, so crops are of the upright image
  const meta = await img.metadata();
  const upright = (meta.orientation ?? 1) >= 5;
  const w = (upright ? meta.height : meta.width) ?? 1;
  const h = (upright ? meta.width : meta.height) ?? 1;
  // a linear kernel: the training pipeline resamples cached small images in memory the same way (images/resample.ts)
  let pipeline = img.extract(cropRect(crop, w, h)).resize(size, size, { fit: 'fill', kernel: 'linear' });
  if (flip) pipeline = pipeline.flop();
  const { data } = await rgbBytes(pipeline);
  return data;
}

/** The whole image, upright, as RGB bytes: what the training pipeline keeps of a small image (train/pixelCache.ts). */
export async function decodeWholeRgb(file: string, format: string | null): Promise<{ data: Uint8Array; width: number; height: number }> {
  if (format === 'png' || format === null) {
    // the plainest PNGs decode in JavaScript with the same bytes, without sharp's 1 ms a call; read
    // synchronously (only small images come here): 37 us a file, against 220 through fs.promises
    const plain = decodePlainPng(fs.readFileSync(file));
    if (plain) return plain;
  }
  const { data, info } = await rgbBytes(await openImage(file, format));
  if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, not RGB`);
  return { data, width: info.width, height: info.height };
}

/** 8-bit sRGB without alpha (grey, CMYK and 16-bit images converted), as raw bytes */
async function rgbBytes(pipeline: Pipeline): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }> {
  const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info };
}

/** The crop's pixel rectangle in a width x height image: at least one pixel, inside the image. */
export function cropRect(crop: Crop, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const left = Math.min(width - 1, Math.floor(crop.left * width));
  const top = Math.min(height - 1, Math.floor(crop.top * height));
  return {
    left,
    top,
    width: Math.max(1, Math.min(width - left, Math.round(crop.width * width))),
    height: Math.max(1, Math.min(height - top, Math.round(crop.height * height))),
  };
}
