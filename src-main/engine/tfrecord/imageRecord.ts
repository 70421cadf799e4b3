/**
 * One image's whole TFRecord record (framing + tf.train.Example) written around the image
 * bytes without touching them: the same bytes as frameRecord(imageExample(fields)), built in
 * one small buffer instead of ~40 (example.ts's general encoder costs ~45 µs of CPU a record,
 * as much as reading an 80 KB file; this one ~3 µs plus the image's CRC). The export's hot
 * path: see export/shardWriter.ts.
 */
import { crc32c, crc32cJs, maskCrc } from './crc32c.js';
import type { ImageFields } from './example.js';

const KEYS = {
  channels: Buffer.from('image/channels'),
  label: Buffer.from('image/class/label'),
  text: Buffer.from('image/class/text'),
  colorspace: Buffer.from('image/colorspace'),
  encoded: Buffer.from('image/encoded'),
  filename: Buffer.from('image/filename'),
  format: Buffer.from('image/format'),
  height: Buffer.from('image/height'),
  width: Buffer.from('image/width'),
};
const RGB = Buffer.from('RGB');
const JPEG = Buffer.from('JPEG');

function vlen(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Length of a field (tag + length + payload) around a payload of n bytes. */
const field = (n: number): number => 1 + vlen(n) + n;

// Feature{int64_list (3) {value (1), packed}} and Feature{bytes_list (1) {value (1)}}: the
// Feature's size for a value, and the size of the features-map entry holding it
const intFeature = (v: number): number => field(field(vlen(v)));
const bytesFeature = (n: number): number => field(field(n));
const entry = (key: Buffer, feature: number): number => field(field(key.length) + field(feature));

class Writer {
  at = 0;
  constructor(readonly out: Buffer) {}
  varint(v: number): void {
    const out = this.out;
    while (v >= 0x80) {
      out[this.at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    out[this.at++] = v;
  }
  tagged(tag: number, n: number): void {
    this.out[this.at++] = tag;
    this.varint(n);
  }
  key(key: Buffer, feature: number): void {
    this.tagged(0x0a, field(key.length) + field(feature)); // map entry
    this.tagged(0x0a, key.length);
    this.at += key.copy(this.out, this.at);
    this.tagged(0x12, feature);
  }
  int(key: Buffer, v: number): void {
    const feature = intFeature(v);
    this.key(key, feature);
    this.tagged(0x1a, field(vlen(v)));
    this.tagged(0x0a, vlen(v));
    this.varint(v);
  }
  /** the bytes' headers; the bytes themselves only when given */
  bytes(key: Buffer, n: number, value?: Buffer | string): void {
    this.key(key, bytesFeature(n));
    this.tagged(0x0a, field(n));
    this.tagged(0x0a, n);
    if (typeof value === 'string') this.at += this.out.write(value, this.at, 'utf8');
    else if (value) this.at += value.copy(this.out, this.at);
  }
}

/**
 * The record as three pieces: `head` (length, its CRC, the Example up to the image bytes),
 * the image itself, and `tail` (the rest of the Example and the data CRC). Non-negative
 * integers only, as image sizes and labels are.
 */
export function imageRecordPieces(fields: ImageFields): [Buffer, Buffer, Buffer] {
  const textLength = Buffer.byteLength(fields.text, 'utf8');
  const nameLength = Buffer.byteLength(fields.filename, 'utf8');
  const image = fields.jpeg.length;
  const features =
    entry(KEYS.channels, intFeature(3)) +
    entry(KEYS.label, intFeature(fields.label)) +
    entry(KEYS.text, bytesFeature(textLength)) +
    entry(KEYS.colorspace, bytesFeature(RGB.length)) +
    entry(KEYS.encoded, bytesFeature(image)) +
    entry(KEYS.filename, bytesFeature(nameLength)) +
    entry(KEYS.format, bytesFeature(JPEG.length)) +
    entry(KEYS.height, intFeature(fields.height)) +
    entry(KEYS.width, intFeature(fields.width));
  const example = field(features);
  const out = Buffer.allocUnsafe(12 + example - image + 4);
  out.writeUInt32LE(example % 2 ** 32, 0);
  out.writeUInt32LE(Math.floor(example / 2 ** 32), 4);
  out.writeUInt32LE(maskCrc(crc32cJs(out.subarray(0, 8))), 8);
  const w = new Writer(out);
  w.at = 12;
  w.tagged(0x0a, features);
  w.int(KEYS.channels, 3);
  w.int(KEYS.label, fields.label);
  w.bytes(KEYS.text, textLength, fields.text);
  w.bytes(KEYS.colorspace, RGB.length, RGB);
  w.bytes(KEYS.encoded, image);
  const split = w.at;
  w.bytes(KEYS.filename, nameLength, fields.filename);
  w.bytes(KEYS.format, JPEG.length, JPEG);
  w.int(KEYS.height, fields.height);
  w.int(KEYS.width, fields.width);
  const head = out.subarray(0, split);
  const tail = out.subarray(split);
  // the small pieces in JavaScript (a native call costs more than their few hundred bytes)
  const crc = crc32cJs(tail.subarray(0, tail.length - 4), crc32c(fields.jpeg, crc32cJs(head.subarray(12))));
  tail.writeUInt32LE(maskCrc(crc), tail.length - 4);
  return [head, fields.jpeg, tail];
}
