/**
 * Pixels for the model: decode (any supported format, EXIF orientation applied), crop,
 * optionally flip, resize to size x size, always 3 channels (grey and CMYK become RGB).
 */
import { openImage } from './decode.js';

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
  const left = Math.min(w - 1, Math.floor(crop.left * w));
  const top = Math.min(h - 1, Math.floor(crop.top * h));
  const width = Math.max(1, Math.min(w - left, Math.round(crop.width * w)));
  const height = Math.max(1, Math.min(h - top, Math.round(crop.height * h)));
  // a linear kernel: the training pipeline resamples cached small images in memory the same way (images/resample.ts)
  let pipeline = img.extract({ left, top, width, height }).resize(size, size, { fit: 'fill', kernel: 'linear' });
  if (flip) pipeline = pipeline.flop();
  const data = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
