/**
 * tf.train.Example encoding (tensorflow/core/example/example.proto and feature.proto):
 * Example{features=1} Features{map<string,Feature> feature=1} Feature{bytes_list=1 |
 * float_list=2 | int64_list=3}; float and int64 lists packed. Keys are written sorted, so
 * the same features always give the same bytes.
 */
import { lengthDelimited, varint, type Pieces } from './protobuf.js';

export type Feature = { bytes: (Buffer | string)[] } | { int64: (number | bigint)[] } | { float: number[] };

function featurePieces(f: Feature): Pieces {
  if ('bytes' in f) {
    const list = f.bytes.flatMap((v) => lengthDelimited(1, typeof v === 'string' ? Buffer.from(v, 'utf8') : v));
    return lengthDelimited(1, list);
  }
  if ('int64' in f) return lengthDelimited(3, lengthDelimited(1, Buffer.concat(f.int64.map((v) => varint(v)))));
  const packed = Buffer.alloc(4 * f.float.length);
  f.float.forEach((v, i) => packed.writeFloatLE(v, 4 * i));
  return lengthDelimited(2, lengthDelimited(1, packed));
}

/** The Example as pieces: large byte values are referenced, not copied. */
export function examplePieces(features: Record<string, Feature>): Pieces {
  const entries = Object.keys(features)
    .sort()
    .flatMap((key) => lengthDelimited(1, [...lengthDelimited(1, Buffer.from(key, 'utf8')), ...lengthDelimited(2, featurePieces(features[key]!))]));
  return lengthDelimited(1, entries);
}

export function encodeExample(features: Record<string, Feature>): Buffer {
  return Buffer.concat(examplePieces(features));
}

export interface ImageFields {
  jpeg: Buffer;
  height: number;
  width: number;
  label: number;
  text: string;
  filename: string;
}

function imageFeatures(fields: ImageFields): Record<string, Feature> {
  return {
    'image/height': { int64: [fields.height] },
    'image/width': { int64: [fields.width] },
    'image/colorspace': { bytes: ['RGB'] },
    'image/channels': { int64: [3] },
    'image/class/label': { int64: [fields.label] },
    'image/class/text': { bytes: [fields.text] },
    'image/format': { bytes: ['JPEG'] },
    'image/filename': { bytes: [fields.filename] },
    'image/encoded': { bytes: [fields.jpeg] },
  };
}

/** The record of one image, with every key of the inception reference (build_image_data.py). */
export function imageExample(fields: ImageFields): Buffer {
  return encodeExample(imageFeatures(fields));
}
