/**
 * TensorBoard event files: TFRecord files of Event messages (tensorflow/core/util/event.proto,
 * tensorboard's summary.proto), one per run folder (train/, validation/), so
 * `tensorboard --logdir <run>` shows the curves. Scalars as simple_value.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { frameRecordPieces } from '../tfrecord/record.js';
import { lengthDelimited, smallVarint, tag, varint, type Pieces } from '../tfrecord/protobuf.js';

function double(field: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([tag(field, 1), b]);
}

function float(field: number, value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return Buffer.concat([tag(field, 5), b]);
}

export function versionEvent(wallTime: number): Pieces {
  return [double(1, wallTime), ...lengthDelimited(3, Buffer.from('brain.Event:2'))];
}

export function scalarEvent(wallTime: number, step: number, scalars: Record<string, number>): Pieces {
  const values = Object.entries(scalars).flatMap(([name, value]) => lengthDelimited(1, [...lengthDelimited(1, Buffer.from(name, 'utf8')), float(2, value)]));
  return [double(1, wallTime), tag(2, 0), step < 2 ** 31 ? smallVarint(step) : varint(step), ...lengthDelimited(5, values)];
}

export interface ScalarEvent {
  step: number;
  wallTime: number;
  values: Record<string, number>;
}

/** A varint at `at`: its value and the offset after it. */
function readVarint(buf: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= buf.length) throw new Error('truncated varint');
    const b = buf[at++]!;
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, at];
    shift += 7;
  }
}

/** The fields of one protobuf message: field number -> raw values (numbers, or bytes for length-delimited and fixed). */
function fields(buf: Buffer): Map<number, (number | Buffer)[]> {
  const out = new Map<number, (number | Buffer)[]>();
  let at = 0;
  while (at < buf.length) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: number | Buffer;
    if (wire === 0) [value, at] = readVarint(buf, at);
    else if (wire === 1) (value = buf.subarray(at, at + 8)), (at += 8);
    else if (wire === 5) (value = buf.subarray(at, at + 4)), (at += 4);
    else if (wire === 2) {
      const [length, start] = readVarint(buf, at);
      value = buf.subarray(start, start + length);
      at = start + length;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), value]);
  }
  return out;
}

/** The scalar summaries of an event file's records (what TensorBoard plots), in file order. */
export function readScalarEvents(records: Iterable<Buffer>): ScalarEvent[] {
  const events: ScalarEvent[] = [];
  for (const record of records) {
    const event = fields(record);
    const summary = event.get(5)?.[0];
    if (!(summary instanceof Buffer)) continue; // the version record, or another kind of event
    const values: Record<string, number> = {};
    for (const v of fields(summary).get(1) ?? []) {
      const value = fields(v as Buffer);
      const tag = (value.get(1)?.[0] as Buffer | undefined)?.toString('utf8');
      const simple = value.get(2)?.[0] as Buffer | undefined;
      if (tag !== undefined && simple) values[tag] = simple.readFloatLE(0);
    }
    const wall = event.get(1)?.[0] as Buffer | undefined;
    events.push({ step: (event.get(2)?.[0] as number | undefined) ?? 0, wallTime: wall ? wall.readDoubleLE(0) : 0, values });
  }
  return events;
}

export class EventWriter {
  readonly file: string;
  private readonly fd: number;

  constructor(dir: string, now = Date.now()) {
    fs.mkdirSync(dir, { recursive: true });
    const secs = Math.floor(now / 1000);
    this.file = path.join(dir, `events.out.tfevents.${String(secs).padStart(10, '0')}.${os.hostname()}.${process.pid}`);
    this.fd = fs.openSync(this.file, 'a');
    this.write(versionEvent(now / 1000));
  }

  scalars(step: number, values: Record<string, number>, wallTime = Date.now() / 1000): void {
    this.write(scalarEvent(wallTime, step, values));
  }

  private write(event: Pieces): void {
    fs.writevSync(this.fd, frameRecordPieces(event));
  }

  flush(): void {
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
