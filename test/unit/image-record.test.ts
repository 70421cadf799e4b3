import { describe, expect, it } from 'vitest';
import { imageExample } from '../../src-main/engine/tfrecord/example.js';
import { imageRecordPieces } from '../../src-main/engine/tfrecord/imageRecord.js';
import { frameRecord } from '../../src-main/engine/tfrecord/record.js';

describe('imageRecordPieces', () => {
  it('gives the same bytes as frameRecord(imageExample()) for short and long values', () => {
    const cases = [
      { jpeg: Buffer.from([0xff, 0xd8, 1, 2, 0xff, 0xd9]), height: 1, width: 2, label: 0, text: 'a', filename: 'x.jpg' },
      { jpeg: Buffer.alloc(300_000, 7), height: 70_000, width: 127, label: 128, text: 'バッグ/😀'.repeat(40), filename: 'é'.repeat(200) },
      { jpeg: Buffer.alloc(127, 1), height: 16_384, width: 2 ** 31, label: 16_383, text: '', filename: '' },
    ];
    for (const c of cases) expect(Buffer.concat(imageRecordPieces(c)).equals(frameRecord(imageExample(c)))).toBe(true);
  });
});
