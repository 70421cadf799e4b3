/**
 * The few protobuf wire-format pieces Example and Event encoding need. Messages are built
 * as lists of buffers (pieces) so that a large value, an image's bytes, is referenced and
 * never copied; `pieceLength` gives the size a length prefix needs.
 */
export type Pieces = Buffer[];

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value)); // negatives take 10 bytes, as int64 must
  const bytes: number[] = [];
  while (v > 0x7fn) {
    bytes.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  bytes.push(Number(v));
  return Buffer.from(bytes);
}

/** A small-number varint without BigInt (lengths, tags): the hot path of record encoding. */
export function smallVarint(v: number): Buffer {
  if (v < 0x80) return Buffer.from([v]);
  const bytes: number[] = [];
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

export function tag(field: number, wireType: 0 | 1 | 2 | 5): Buffer {
  return smallVarint((field << 3) | wireType);
}

export function pieceLength(pieces: Pieces): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

/** A length-delimited field around a message given as pieces (no copy of the pieces). */
export function lengthDelimited(field: number, payload: Buffer | Pieces): Pieces {
  const pieces = Buffer.isBuffer(payload) ? [payload] : payload;
  return [tag(field, 2), smallVarint(pieceLength(pieces)), ...pieces];
}
