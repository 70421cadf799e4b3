import { describe, expect, it } from 'vitest';
import { hasCompleteTrailer, readHeader, sniffFormat } from '../../src-main/engine/images/header.js';
import { bmpBytes, imageBytes, type Format } from '../fixtures/images.js';

describe('image headers', () => {
  const sizes = [
    [40, 30],
    [1, 300],
    [1000, 17],
  ] as const;
  for (const format of ['jpeg', 'png', 'webp', 'gif'] as Format[]) {
    for (const [width, height] of sizes) {
      it(`reads ${format} ${width}x${height} from the header`, async () => {
        const bytes = await imageBytes({ format, width, height });
        expect(readHeader(bytes)).toMatchObject({ format, width, height });
      });
    }
  }

  it('reads lossless and alpha WebP (VP8L, VP8X)', async () => {
    const sharp = (await import('sharp')).default;
    const raw = { raw: { width: 33, height: 21, channels: 4 as const } };
    const lossless = await sharp(Buffer.alloc(33 * 21 * 4, 90), raw).webp({ lossless: true }).toBuffer();
    expect(readHeader(lossless)).toEqual({ format: 'webp', width: 33, height: 21 });
    const withExif = await sharp(Buffer.alloc(33 * 21 * 4, 90), raw).webp().withMetadata({ orientation: 6 }).toBuffer();
    expect(readHeader(withExif)).toEqual({ format: 'webp', width: 33, height: 21 });
  });

  it('reads a JPEG whose frame header comes after a large EXIF block', async () => {
    const sharp = (await import('sharp')).default;
    const bytes = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } })
      .jpeg()
      .withExif({ IFD0: { ImageDescription: 'x'.repeat(20000) } })
      .toBuffer();
    expect(readHeader(bytes)).toEqual({ format: 'jpeg', width: 64, height: 48, components: 3 });
  });

  it('knows TIFF and AVIF by content but leaves their size to sharp', async () => {
    expect(sniffFormat(await imageBytes({ format: 'tiff' }))).toBe('tiff');
    expect(sniffFormat(await imageBytes({ format: 'avif' }))).toBe('avif');
  });

  it('reads BMP, including top-down ones', () => {
    expect(readHeader(bmpBytes(20, 10))).toEqual({ format: 'bmp', width: 20, height: 10 });
    const topDown = bmpBytes(20, 10);
    topDown.writeInt32LE(-10, 22);
    expect(readHeader(topDown)).toEqual({ format: 'bmp', width: 20, height: 10 });
  });

  it('says undefined for things that are not images', () => {
    expect(readHeader(Buffer.from('hello world, this is text'))).toBeUndefined();
    expect(readHeader(Buffer.from('<html><body>404</body></html>'))).toBeUndefined();
    expect(readHeader(Buffer.alloc(0))).toBeUndefined();
    expect(readHeader(Buffer.from([0xff, 0xd8]))).toBeUndefined();
  });

  it('checks the trailer of JPEG, PNG and GIF', async () => {
    for (const format of ['jpeg', 'png', 'gif'] as const) {
      const bytes = await imageBytes({ format });
      expect(hasCompleteTrailer(format, bytes.subarray(-64))).toBe(true);
      expect(hasCompleteTrailer(format, bytes.subarray(0, bytes.length - 20).subarray(-8))).toBe(false);
    }
    expect(hasCompleteTrailer('webp', Buffer.alloc(4))).toBeUndefined();
  });
});
