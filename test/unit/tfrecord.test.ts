import { describe, expect, it } from 'vitest';
import { crc32c, crc32cJs, crc32cImplementation, maskCrc } from '../../src-main/engine/tfrecord/crc32c.js';
import { encodeExample, imageExample } from '../../src-main/engine/tfrecord/example.js';
import { frameRecord, readRecords } from '../../src-main/engine/tfrecord/record.js';

const vectors: [string, Buffer, number][] = [
  ['32 bytes of 0x00', Buffer.alloc(32, 0), 0x8a9136aa],
  ['32 bytes of 0xFF', Buffer.alloc(32, 0xff), 0x62a8ab43],
  ['bytes 0..31', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
  ['bytes 31..0', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
];

describe('CRC32C (RFC 3720 B.4 vectors)', () => {
  for (const [name, input, expected] of vectors) {
    it(`${name} -> ${expected.toString(16)} (${crc32cImplementation} and JavaScript)`, () => {
      expect(crc32c(input)).toBe(expected);
      expect(crc32cJs(input)).toBe(expected);
    });
  }
  it('masks as TensorFlow does', () => {
    expect(maskCrc(crc32c(Buffer.alloc(0)))).toBe(0xa282ead8);
    expect(maskCrc(crc32c(Buffer.alloc(8)))).toBe(0x07980329);
  });
  it('agrees with the JavaScript version on random data of every length', () => {
    let s = 1;
    for (let n = 0; n < 300; n += 7) {
      const b = Buffer.from(Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) & 0x7fffffff) & 0xff));
      expect(crc32c(b)).toBe(crc32cJs(b));
    }
  });
});

describe('tf.train.Example encoding', () => {
  it('matches the worked example byte for byte', () => {
    const expected = Buffer.concat([Buffer.from([0x0a, 0x1c, 0x0a, 0x1a, 0x0a, 0x11]), Buffer.from('image/class/label'), Buffer.from([0x12, 0x05, 0x1a, 0x03, 0x0a, 0x01, 0x01])]);
    expect(encodeExample({ 'image/class/label': { int64: [1] } })).toEqual(expected);
  });
  it('encodes negative int64 in ten bytes and floats packed little-endian', () => {
    const neg = encodeExample({ x: { int64: [-1] } });
    expect(neg.subarray(-11)).toEqual(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).subarray(0, 11));
    const f = encodeExample({ x: { float: [0.5] } });
    expect(f.subarray(-4)).toEqual(Buffer.from([0, 0, 0, 0x3f]));
  });
});

/** A reader written here, independent of the encoder: just enough protobuf to walk an Example. */
function parseExample(buf: Buffer): Record<string, { bytes?: Buffer[]; int64?: bigint[] }> {
  const fields = (b: Buffer): { field: number; value: Buffer | bigint }[] => {
    const out: { field: number; value: Buffer | bigint }[] = [];
    let i = 0;
    const varint = (): bigint => {
      let v = 0n;
      let shift = 0n;
      for (;;) {
        const byte = b[i++]!;
        v |= BigInt(byte & 0x7f) << shift;
        if (!(byte & 0x80)) return v;
        shift += 7n;
      }
    };
    while (i < b.length) {
      const key = Number(varint());
      if ((key & 7) === 2) {
        const len = Number(varint());
        out.push({ field: key >> 3, value: b.subarray(i, i + len) });
        i += len;
      } else out.push({ field: key >> 3, value: varint() });
    }
    return out;
  };
  const result: Record<string, { bytes?: Buffer[]; int64?: bigint[] }> = {};
  const features = fields(buf)[0]!.value as Buffer;
  for (const entry of fields(features)) {
    const [k, v] = fields(entry.value as Buffer);
    const feature = fields(v!.value as Buffer)[0]!;
    const list = fields(feature.value as Buffer);
    if (feature.field === 1) result[(k!.value as Buffer).toString()] = { bytes: list.map((x) => x.value as Buffer) };
    if (feature.field === 3) {
      const packed = list[0]!.value as Buffer;
      result[(k!.value as Buffer).toString()] = { int64: fields(Buffer.concat([Buffer.from([0x08]), packed])).map((x) => x.value as bigint) };
    }
  }
  return result;
}

describe('records', () => {
  it('round-trip an image Example through framing and an independent parser', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const data = imageExample({ jpeg, height: 30, width: 40, label: 7, text: 'Men > Shoes', filename: '写真.jpg' });
    const file = Buffer.concat([frameRecord(data), frameRecord(Buffer.alloc(0)), frameRecord(data)]);
    const records = [...readRecords(file)];
    expect(records).toHaveLength(3);
    expect(records[1]).toHaveLength(0);
    const ex = parseExample(records[2]!);
    expect(Object.keys(ex).sort()).toEqual(['image/channels', 'image/class/label', 'image/class/text', 'image/colorspace', 'image/encoded', 'image/filename', 'image/format', 'image/height', 'image/width']);
    expect(ex['image/encoded']!.bytes![0]).toEqual(jpeg);
    expect(ex['image/class/label']!.int64).toEqual([7n]);
    expect(ex['image/height']!.int64).toEqual([30n]);
    expect(ex['image/class/text']!.bytes![0]!.toString()).toBe('Men > Shoes');
    expect(ex['image/filename']!.bytes![0]!.toString()).toBe('写真.jpg');
  });

  it('reports truncated and corrupted records', () => {
    const rec = frameRecord(Buffer.from('hello'));
    expect(() => [...readRecords(rec.subarray(0, rec.length - 2), 'f')]).toThrow(/f: truncated record 0/);
    const bad = Buffer.from(rec);
    bad[13] = bad[13]! ^ 1;
    expect(() => [...readRecords(bad, 'f')]).toThrow(/corrupted record 0 \(data CRC\)/);
  });
});

describe('TensorBoard events', () => {
  it('encode the worked record of tfrecord.md byte for byte', async () => {
    const { scalarEvent } = await import('../../src-main/engine/train/events.js');
    const { frameRecordPieces } = await import('../../src-main/engine/tfrecord/record.js');
    const bytes = Buffer.concat(frameRecordPieces(scalarEvent(1.5e9, 100, { loss: 0.5 })));
    const hex = '1a00000000000000' + '129bd82d' + '09000000c00b5ad641' + '1064' + '2a0d0a0b0a04' + Buffer.from('loss').toString('hex') + '150000003f' + '7d9091cd';
    expect(bytes.toString('hex')).toBe(hex);
  });
});
