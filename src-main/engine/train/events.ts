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
