/**
 * The one place that imports sharp: every other module goes through images/*.
 * libvips keeps its own cache of open images; a dataset tool touches each file once,
 * so the cache only costs memory.
 */
import sharp from 'sharp';

sharp.cache(false);

export { sharp };

/** Above this many pixels an image is refused (decompression-bomb guard), like Pillow's limit. */
export const MAX_PIXELS = 178_956_970;
/** Images narrower or shorter than this are placeholders or tracking pixels, not photos. */
export const MIN_SIDE = 8;

/** libvips messages carry a trailing newline and the loader's name; keep the useful line. */
export function describeSharpError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^vips2?png: /.test(l));
  const detail = lines.slice(0, 2).join('; ');
  if (!detail) return 'the image could not be decoded';
  // the strict decode's failures read as libvips internals ("Warning treated as error due to
  // failOn setting", "error in tile 0 x 128"): say what they mean, keep the words for a search
  return DAMAGED.test(detail) ? `the image data is damaged or incomplete: ${detail}` : detail;
}

/** libvips' and libjpeg's ways of saying that the pixels stop or go wrong partway through */
const DAMAGED = /failOn setting|error in tile|premature end|truncated|corrupt|bad huffman|unexpected end/i;
