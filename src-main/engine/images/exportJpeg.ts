/**
 * The JPEG bytes an export record carries: a 3-channel JPEG passes through byte for byte;
 * anything else (PNG, WebP, BMP, greyscale or CMYK JPEG, alpha) becomes an RGB JPEG, and
 * --max-side shrinks the longer side. EXIF orientation is not applied, exactly as
 * TensorFlow's decode_jpeg ignores it for the passed-through files.
 */
import fs from 'node:fs';
import { decodeBmp } from './bmp.js';
import { readHeader } from './header.js';
import { MAX_PIXELS, sharp } from './sharpLib.js';

export interface ExportJpeg {
  jpeg: Buffer;
  width: number;
  height: number;
  passedThrough: boolean;
}

export interface ExportJpegOptions {
  maxSide?: number;
  quality?: number;
  /** decode the whole image strictly first (a warning fails it): for a file changed since it was last checked */
  strict?: boolean;
}

export async function exportJpeg(file: string, options: ExportJpegOptions = {}): Promise<ExportJpeg> {
  // a plain synchronous read: for files of a few hundred KiB a FileHandle round trip costs more CPU than the read
  return exportJpegFromBytes(fs.readFileSync(file), options);
}

/** The same from bytes already read (the export reads verified files itself, in path order). */
export async function exportJpegFromBytes(bytes: Buffer, options: ExportJpegOptions = {}): Promise<ExportJpeg> {
  const header = readHeader(bytes.subarray(0, 256 * 1024));
  if (!header) throw new Error('not an image');
  const { width, height } = header;
  const fits = !options.maxSide || (width !== undefined && height !== undefined && Math.max(width, height) <= options.maxSide);
  if (options.strict && header.format !== 'bmp') await sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'warning', animated: false }).raw().toBuffer();
  if (header.format === 'jpeg' && header.components === 3 && fits && width && height) {
    return { jpeg: bytes, width, height, passedThrough: true };
  }
  let img =
    header.format === 'bmp'
      ? (() => {
          const raw = decodeBmp(bytes);
          return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
        })()
      : sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'error', animated: false });
  if (options.maxSide) img = img.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
  const { data, info } = await img
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .jpeg({ quality: options.quality ?? 100, chromaSubsampling: '4:4:4' })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height, passedThrough: false };
}
