/**
 * The engine's side of prediction: starts a predictor process for one saved model, keeps it
 * warm between calls, and turns its death into errors a person can read.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { forkEntry } from '../train/childEntry.js';
import type { BackendName } from '../train/tf.js';
import type { InputFile } from './inference.js';
import type { PredictAnswer } from './predictorProcess.js';
import type { BackboneOption } from './workerPool.js';

export interface PredictorOptions {
  backend?: BackendName;
  /** worker threads (default: one per core on CPU backends, one on GPU and native backends) */
  workers?: number;
  /** at most this many (a few files do not need every core, and each worker costs a start) */
  maxWorkers?: number;
  /** `dir` is a pretrained backbone's folder or URL: embeddings only (classes 0) */
  backbone?: BackboneOption;
}

type Pending = { resolve: (r: PredictAnswer[]) => void; reject: (e: Error) => void };

export class Predictor {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: string | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly dir: string,
    readonly backend: { name: BackendName; label: string },
    readonly classes: number,
    readonly workers: number,
    /** the side of the images the model takes */
    readonly imageSize: number,
  ) {
    child.on('message', (m: { type: string; id?: number; results?: PredictAnswer[]; message?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.type === 'result') p?.resolve(m.results!);
      else p?.reject(new Error(m.message));
    });
    child.on('exit', (code, signal) => {
      this.dead = `the predictor process ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}; out of memory?)`;
      for (const p of this.pending.values()) p.reject(new Error(this.dead));
      this.pending.clear();
    });
  }

  /** Starts the process and loads the model in every worker; rejects with the reason it cannot. */
  static async open(dir: string, options: PredictorOptions = {}): Promise<Predictor> {
    const child = forkEntry(path.join(import.meta.dirname, 'predictorProcess.ts'), undefined, undefined, 'advanced');
    const opened = await new Promise<{ backend: BackendName; label: string; classes: number; workers: number; imageSize: number }>((resolve, reject) => {
      child.once('message', (m: { type: string; message?: string; backend: BackendName; label: string; classes: number; workers: number; imageSize: number }) =>
        m.type === 'opened' ? resolve(m) : reject(new Error(options.backbone ? (m.message ?? `cannot load the backbone ${dir}`) : `cannot load the model in ${dir}: ${m.message}`)),
      );
      child.once('exit', (code, signal) => reject(new Error(`the predictor process ended while loading ${dir} (${signal ?? `exit code ${code}`})`)));
      child.send({ type: 'open', dir, backend: options.backend, workers: options.workers, maxWorkers: options.maxWorkers, backbone: options.backbone });
    }).catch((err: Error) => {
      child.kill('SIGKILL');
      throw err;
    });
    return new Predictor(child, dir, { name: opened.backend, label: opened.label }, opened.classes, opened.workers, opened.imageSize);
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** The predictor process's id (its worker threads share it), for memory figures. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Top `top` (output index, probability) per file, plus the probability of `want[i]` when given. */
  predict(files: InputFile[], top: number, want?: (number | null)[], batchSize?: number, embed = false): Promise<PredictAnswer[]> {
    if (this.dead) return Promise.reject(new Error(this.dead));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ type: 'predict', id, files, top, want, batchSize, embed });
    });
  }

  close(): void {
    if (this.dead) return;
    this.child.send({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    this.child.once('exit', () => clearTimeout(timer));
    this.dead = 'the predictor was closed';
  }
}
