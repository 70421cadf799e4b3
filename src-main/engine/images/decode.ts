/**
 * Opening an image file as a sharp pipeline, whatever its format: BMP goes through our own
 * decoder, everything else straight to libvips. EXIF orientation is applied, pixel limits kept.
 */
import fs from 'node:fs/promises';
import { decodeBmp } from './bmp.js';
import { MAX_PIXELS, sharp } from './sharpLib.js';

export type Pipeline = ReturnType<typeof sharp>;

/**
 * `strict`: fail on the decoder's warnings too (libjpeg's "Corrupt JPEG data: premature end of
 * data segment" is only a warning: a JPEG missing part of its middle still decodes, grey below
 * the gap). The thumbnail, the one full decode every image gets, is strict, so such a file is
 * found before an export passes its bytes through.
 */
export async function openImage(file: string, format: string | null, options: { autoOrient?: boolean; strict?: boolean } = {}): Promise<Pipeline> {
  let img: Pipeline;
  if (format === 'bmp') {
    const raw = decodeBmp(await fs.readFile(file));
    img = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  } else {
    img = sharp(file, { limitInputPixels: MAX_PIXELS, failOn: options.strict ? 'warning' : 'error', animated: false });
  }
  return options.autoOrient === false ? img : img.rotate();
}

export const THUMB_SIZE = 256;

/**
 * A thumbnail: the whole image inside a 256-pixel square, as WebP. Decodes the whole file
 * strictly (shrink-on-load still reads every byte of the scan), so a thumbnail made is also
 * the proof that the image is whole: see dataset/verify.ts.
 */
export async function makeThumbnail(file: string, format: string | null): Promise<Buffer> {
  const img = await openImage(file, format, { strict: true });
  return img
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: false, kernel: 'lanczos3' })
    .flatten({ background: '#ffffff' })
    .webp({ quality: 72, effort: 2 })
    .toBuffer();
}

/** A viewable version of the original for the detail panel: browsers cannot show TIFF or BMP. */
export async function makePreview(file: string, format: string | null, maxSide = 1600): Promise<{ data: Buffer; type: string }> {
  const img = await openImage(file, format);
  const data = await img.resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 90 }).toBuffer();
  return { data, type: 'image/jpeg' };
}
