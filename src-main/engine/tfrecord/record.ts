/** TFRecord framing (tensorflow/core/lib/io/record_writer.cc): length, CRCs, data. */
import { crc32c, maskCrc, maskedCrc32c } from './crc32c.js';
import { pieceLength, type Pieces } from './protobuf.js';

export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(16 + data.length);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** The same framing around a message given as pieces: returns pieces, copying no data. */
export function frameRecordPieces(data: Pieces): Pieces {
  const header = Buffer.allocUnsafe(12);
  header.writeBigUInt64LE(BigInt(pieceLength(data)), 0);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  let crc = 0;
  for (const p of data) crc = crc32c(p, crc);
  const footer = Buffer.allocUnsafe(4);
  footer.writeUInt32LE(maskCrc(crc), 0);
  return [header, ...data, footer];
}

export class RecordError extends Error {}

/** Reads every record of a TFRecord buffer, checking both CRCs as TensorFlow's reader does. */
export function* readRecords(buf: Buffer, where = 'record file'): Generator<Buffer> {
  let offset = 0;
  let index = 0;
  while (offset < buf.length) {
    if (offset + 12 > buf.length) throw new RecordError(`${where}: truncated record ${index} (header)`);
    const length = Number(buf.readBigUInt64LE(offset));
    if (buf.readUInt32LE(offset + 8) !== maskedCrc32c(buf.subarray(offset, offset + 8))) throw new RecordError(`${where}: corrupted record ${index} (length CRC)`);
    const end = offset + 12 + length;
    if (end + 4 > buf.length) throw new RecordError(`${where}: truncated record ${index} (data)`);
    const data = buf.subarray(offset + 12, end);
    if (buf.readUInt32LE(end) !== maskedCrc32c(data)) throw new RecordError(`${where}: corrupted record ${index} (data CRC)`);
    yield data;
    offset = end + 4;
    index++;
  }
}
