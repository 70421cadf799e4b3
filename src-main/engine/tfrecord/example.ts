/**
 * tf.train.Example encoding (tensorflow/core/example/example.proto and feature.proto):
 * Example{features=1} Features{map<string,Feature> feature=1} Feature{bytes_list=1 |
 * float_list=2 | int64_list=3}; float and int64 lists packed. Keys are written sorted, so
 * the same features always give the same bytes.
 */
import { lengthDelimited, varint } from './protobuf.js';

export type Feature = { bytes: (Buffer | string)[] } | { int64: (number | bigint)[] } | { float: number[] };

function featureBytes(f: Feature): Buffer {
  if ('bytes' in f) {
    const list = Buffer.concat(f.bytes.flatMap((v) => lengthDelimited(1, typeof v === 'string' ? Buffer.from(v, 'utf8') : v)));
    return Buffer.concat(lengthDelimited(1, list));
  }
  if ('int64' in f) {
    const packed = Buffer.concat(f.int64.map((v) => varint(v)));
    return Buffer.concat(lengthDelimited(3, Buffer.concat(lengthDelimited(1, packed))));
  }
  const packed = Buffer.alloc(4 * f.float.length);
  f.float.forEach((v, i) => packed.writeFloatLE(v, 4 * i));
  return Buffer.concat(lengthDelimited(2, Buffer.concat(lengthDelimited(1, packed))));
}

export function encodeExample(features: Record<string, Feature>): Buffer {
  const entries = Object.keys(features)
    .sort()
    .map((key) => Buffer.concat(lengthDelimited(1, Buffer.concat([...lengthDelimited(1, Buffer.from(key, 'utf8')), ...lengthDelimited(2, featureBytes(features[key]!))]))));
  return Buffer.concat(lengthDelimited(1, Buffer.concat(entries)));
}

/** The record of one image, with every key of the inception reference (build_image_data.py). */
export function imageExample(fields: { jpeg: Buffer; height: number; width: number; label: number; text: string; filename: string }): Buffer {
  return encodeExample({
    'image/height': { int64: [fields.height] },
    'image/width': { int64: [fields.width] },
    'image/colorspace': { bytes: ['RGB'] },
    'image/channels': { int64: [3] },
    'image/class/label': { int64: [fields.label] },
    'image/class/text': { bytes: [fields.text] },
    'image/format': { bytes: ['JPEG'] },
    'image/filename': { bytes: [fields.filename] },
    'image/encoded': { bytes: [fields.jpeg] },
  });
}
