/**
 * Pixels for classification of any file a person picks: the format is found from the
 * content (not the name), the file must decode strictly, and the run's evaluation crop is
 * applied. Errors are one line that says what and why.
 */
import fs from 'node:fs';
import { sniffFormat } from './header.js';
import { decodeForModel, type Crop } from './modelInput.js';
import { SUPPORTED_FORMATS } from './probe.js';
import { describeSharpError } from './sharpLib.js';

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(64);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Decodes `file` for a model (format from the content unless known). Throws a one-line Error. */
export async function decodeForClassification(file: string, format: string | null, size: number, crop: Crop): Promise<Uint8Array> {
  let known = format;
  if (!known) {
    let head: Buffer;
    try {
      const stat = fs.statSync(file);
      if (stat.isDirectory()) throw new Error('is a folder');
      if (stat.size === 0) throw new Error('empty file (0 bytes)');
      head = readHead(file);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'cannot be read (permission denied)' : e.message);
    }
    const sniffed = sniffFormat(head);
    if (!sniffed || !SUPPORTED_FORMATS.includes(sniffed)) {
      throw new Error(sniffed === 'heif' ? 'HEIC/HEIF images are not supported; convert them to JPEG' : `not an image: the content is not ${SUPPORTED_FORMATS.map((f) => f.toUpperCase()).join(', ')}`);
    }
    known = sniffed;
  }
  try {
    return await decodeForModel(file, known, size, crop, false);
  } catch (err) {
    throw new Error(`corrupt ${known.toUpperCase()}: ${describeSharpError(err)}`);
  }
}
