/**
 * Writes one TFRecord shard at the disk's speed. For a JPEG the thumbnail job has already
 * decoded whole (items.decoded, same size and time as now), a record costs what `cat` pays
 * plus framing and CRC32C: the shard goes in chunks of about 1 MiB; each chunk's files are read
 * whole into one buffer in path order (sequential on the disk, whatever the shuffle), and the
 * records are written in the shuffled order with writev on libuv's pool while the next chunk is
 * read. Everything else (PNG, greyscale JPEG, --max-side, a file changed since its check) is
 * converted by sharp, as before, into the same record bytes. One fsync, at the shard's end;
 * the shard is written under a temporary name and renamed when whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ExportFacts } from '../db/repos/items.js';
import type { Split } from '../db/repos/plan.js';
import type { ExportRecord } from '../dataset/selection.js';
import { itemFile } from '../dataset/sources.js';
import { exportJpeg, exportJpegFromBytes, type ExportJpeg } from '../images/exportJpeg.js';
import { readHeader } from '../images/header.js';
import { describeSharpError } from '../images/sharpLib.js';
import { imageRecordPieces } from '../tfrecord/imageRecord.js';

const writev = promisify(fs.writev);
const fsync = promisify(fs.fsync);

export interface ShardInfo {
  file: string;
  split: Split;
  records: number;
  per_label: Record<string, number>;
}

export interface ShardContext {
  root: string;
  encode: { maxSide?: number; quality: number };
  facts: (ids: readonly number[]) => ExportFacts[];
  stats: { passed: number; encoded: number };
  failed: { path: string; reason: string }[];
  /** after each chunk, with the records it took; awaited (the caller lets the event loop turn) */
  onRecords: (n: number) => Promise<void> | undefined;
  signal?: AbortSignal;
  /** the export's read buffers, reused from chunk to chunk and shard to shard */
  buffers: ChunkBuffers;
}

/**
 * Read buffers kept for reuse. A fresh buffer costs a page fault per 4 KiB on first touch
 * (measured: reading 152 MB of files into new memory took 0.9 s of system time against 0.1 s
 * into memory touched before, on a virtual machine), which is most of what `cat` does not pay.
 */
export class ChunkBuffers {
  private readonly free: Buffer[] = [];

  take(size: number): Buffer {
    const k = this.free.findIndex((b) => b.length >= size);
    return k >= 0 ? this.free.splice(k, 1)[0]! : Buffer.allocUnsafeSlow(Math.max(size, CHUNK_BYTES));
  }

  give(buffer: Buffer): void {
    this.free.push(buffer);
  }
}

/**
 * About 1 MiB per chunk. Measured (8,000 JPEGs of 80 KB, 607 MiB, warm cache, median of 3):
 * 8 MiB chunks 2.11 s and 2.75 s of CPU; 1 MiB 1.14 s and 0.95 s; 256 KiB and 2 MiB 1.3-1.4 s.
 * The difference was the kernel's copy out of our buffer into the page cache (a plain file copy
 * through an 8 MiB buffer spent 4-8x the system time of one through 1 MiB), most likely
 * because a small chunk just read is still in the CPU's cache. docs/benchmarks.md has the table.
 */
const CHUNK_BYTES = 2 ** 20;
const CHUNK_RECORDS = 4096;
/** files read between turns of the event loop (the studio answers requests meanwhile) */
const READS_PER_TURN = 128;

export async function writeShard(file: string, split: Split, records: ExportRecord[], ctx: ShardContext): Promise<ShardInfo | undefined> {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  let complete = false;
  const perLabel: Record<string, number> = {};
  let count = 0;
  let writing: Promise<void> = Promise.resolve();
  try {
    const facts = new Map(ctx.facts([...new Set(records.map((r) => r.itemId))]).map((f) => [f.id, f]));
    for (let a = 0; a < records.length; ) {
      if (ctx.signal?.aborted) return undefined;
      let b = a;
      for (let bytes = 0; b < records.length && b - a < CHUNK_RECORDS && (b === a || bytes < CHUNK_BYTES); b++) bytes += facts.get(records[b]!.itemId)?.size ?? 0;
      const chunk = records.slice(a, b);
      const { images, buffer } = await chunkImages(chunk, facts, ctx);
      const pieces: Buffer[] = [];
      chunk.forEach((r, i) => {
        const img = images[i];
        if (!img) return;
        pieces.push(...imageRecordPieces({ jpeg: img.jpeg, height: img.height, width: img.width, label: r.label, text: r.text, filename: path.posix.basename(r.path) }));
        count++;
        perLabel[r.label] = (perLabel[r.label] ?? 0) + 1;
      });
      await writing; // records stay in order: the previous chunk is on the disk first
      writing = writeAll(fd, pieces).finally(() => ctx.buffers.give(buffer));
      writing.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
      await ctx.onRecords(chunk.length);
      a = b;
    }
    await writing;
    await fsync(fd);
    complete = true;
  } finally {
    await writing.catch(() => undefined);
    fs.closeSync(fd);
    // a cancel that lands after the last record still keeps the (whole) shard
    if (!complete) fs.rmSync(tmp, { force: true });
  }
  fs.renameSync(tmp, file);
  return { file: path.basename(file), split, records: count, per_label: perLabel };
}

/**
 * The JPEG each record carries (null: left out, reason in ctx.failed). Verified JPEGs are read
 * here in path order into one buffer; the rest go to sharp at once, on libuv's pool.
 */
async function chunkImages(chunk: ExportRecord[], facts: Map<number, ExportFacts>, ctx: ShardContext): Promise<{ images: (ExportJpeg | null)[]; buffer: Buffer }> {
  const out: (ExportJpeg | null)[] = new Array(chunk.length).fill(null);
  const slow: Promise<void>[] = [];
  const convert = (i: number, from: Promise<ExportJpeg>): void => {
    slow.push(
      from.then(
        (img) => {
          out[i] = img;
        },
        (err: unknown) => {
          ctx.failed.push({ path: chunk[i]!.path, reason: `cannot be decoded: ${describeSharpError(err)}` });
        },
      ),
    );
  };
  const direct: number[] = [];
  let total = 0;
  chunk.forEach((r, i) => {
    const f = facts.get(r.itemId);
    if (f && f.decoded === 1 && f.format === 'jpeg') {
      direct.push(i);
      total += f.size;
    } else convert(i, exportJpeg(itemFile(ctx.root, r.path), ctx.encode));
  });
  direct.sort((x, y) => (chunk[x]!.path < chunk[y]!.path ? -1 : chunk[x]!.path > chunk[y]!.path ? 1 : x - y));
  const buffer = ctx.buffers.take(total);
  let at = 0;
  for (const [n, i] of direct.entries()) {
    if (n % READS_PER_TURN === READS_PER_TURN - 1) await new Promise((r) => setImmediate(r));
    const r = chunk[i]!;
    const f = facts.get(r.itemId)!;
    const file = itemFile(ctx.root, r.path);
    const bytes = buffer.subarray(at, at + f.size);
    at += f.size;
    const read = readWhole(file, bytes, f);
    if (read === 'changed') {
      // the check was of other bytes: decode these strictly before trusting them
      convert(i, exportJpeg(file, { ...ctx.encode, strict: true }));
      continue;
    }
    if (read !== 'ok') {
      convert(i, Promise.reject(read)); // the same message the decoder path gives a missing file
      continue;
    }
    const header = readHeader(bytes.subarray(0, 256 * 1024));
    const fits = !ctx.encode.maxSide || (header?.width !== undefined && header.height !== undefined && Math.max(header.width, header.height) <= ctx.encode.maxSide);
    if (header?.format === 'jpeg' && header.components === 3 && fits && header.width && header.height) {
      out[i] = { jpeg: bytes, width: header.width, height: header.height, passedThrough: true };
    } else convert(i, exportJpegFromBytes(bytes, ctx.encode)); // greyscale, CMYK, too large: re-encoded as before
  }
  await Promise.all(slow);
  for (const img of out) if (img) img.passedThrough ? ctx.stats.passed++ : ctx.stats.encoded++;
  return { images: out, buffer };
}

/** Reads the file whole into `into`; 'changed' when its size or time is not the checked one. */
function readWhole(file: string, into: Buffer, f: ExportFacts): 'ok' | 'changed' | Error {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    return err as Error;
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.size !== f.size || Math.trunc(st.mtimeMs) !== f.mtime_ms) return 'changed';
    let got = 0;
    while (got < into.length) {
      const n = fs.readSync(fd, into, got, into.length - got, got);
      if (n === 0) return 'changed';
      got += n;
    }
    return 'ok';
  } catch (err) {
    return err as Error;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the pieces in order with writev on libuv's pool (looping on short writes, at most 1024 buffers a call). */
async function writeAll(fd: number, pieces: Buffer[]): Promise<void> {
  let rest = pieces;
  while (rest.length > 0) {
    let n = (await writev(fd, rest.slice(0, 1024))).bytesWritten;
    const next: Buffer[] = [];
    let k = 0;
    for (; k < rest.length && n > 0; k++) {
      const p = rest[k]!;
      if (n >= p.length) n -= p.length;
      else {
        next.push(p.subarray(n));
        n = 0;
      }
    }
    rest = [...next, ...rest.slice(k)];
  }
}
