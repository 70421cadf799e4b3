/**
 * A small BMP decoder (libvips as shipped with sharp cannot read BMP): uncompressed 24- and
 * 32-bit, 1/4/8-bit palettes, bottom-up or top-down rows. Returns RGB pixels.
 */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export function decodeBmp(b: Buffer): RawImage {
  if (b.length < 54 || b[0] !== 0x42 || b[1] !== 0x4d) throw new Error('not a BMP file');
  const offset = b.readUInt32LE(10);
  const headerSize = b.readUInt32LE(14);
  if (headerSize < 40) throw new Error('OS/2 BMP headers are not supported');
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  if (compression !== 0 && !(compression === 3 && bpp === 32)) throw new Error(`compressed BMP (method ${compression}) is not supported`);
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new Error(`${bpp}-bit BMP is not supported`);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  const rowSize = Math.ceil((width * bpp) / 32) * 4;
  if (offset + rowSize * height > b.length) throw new Error('truncated BMP: the pixel data is shorter than the header says');
  const paletteStart = 14 + headerSize;
  const colours = b.readUInt32LE(46) || (bpp <= 8 ? 1 << bpp : 0);
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (topDown ? y : height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      let p: number;
      if (bpp >= 24) p = row + x * (bpp / 8);
      else {
        const bit = x * bpp;
        const index = (b[row + (bit >> 3)]! >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        if (index >= colours) throw new Error('corrupt BMP: a pixel points outside the palette');
        p = paletteStart + index * 4;
      }
      const o = (y * width + x) * 3;
      out[o] = b[p + 2]!;
      out[o + 1] = b[p + 1]!;
      out[o + 2] = b[p]!;
    }
  }
  return { data: out, width, height, channels: 3 };
}
