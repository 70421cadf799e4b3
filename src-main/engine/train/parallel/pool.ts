/**
 * Data-parallel training over worker threads, on the trainer's side. The trainer's thread
 * keeps the model and the optimizer (so checkpoints, evaluation and saving stay as they are);
 * each step it puts the batch and, when they changed, the weights in shared memory, every
 * worker computes the gradients of its rows times its share of the batch, and the trainer
 * sums them and applies them once. The mean loss over the batch is the share-weighted sum of
 * the parts' mean losses, so without BatchNorm (and dropout) the step is the one a single
 * thread takes, up to float rounding. With BatchNorm each worker normalises with its own
 * part's statistics, and the moving mean and variance are averaged by share after each step.
 *
 * Why the trainer and not every worker applies the update: both cost one optimizer update on
 * the critical path per step and move the same number of floats (weights out versus averaged
 * gradients out), but only this way do checkpoints and the saved model need nothing from the
 * workers (measured in test/bench/train.ts: the trainer's share of a step is printed).
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Batch } from '../pipeline.js';
import { tf, type BackendName } from '../tf.js';
import type { GradientWorkerData, StepRequest, WorkerReply } from './gradientWorker.js';
import { layoutOf, readWeights, variablesOf, writeWeights, type Layout } from './layout.js';

const BOOT = path.join(import.meta.dirname, '../../predict/workerBoot.mjs');
const ENTRY = path.join(import.meta.dirname, 'gradientWorker.ts');

export interface StepStats {
  /** mean loss over the batch */
  loss: number;
  top1: number;
  top5: number;
}

interface Slot {
  worker: Worker;
  out: Float32Array;
  pending?: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };
}

export class ParallelTrainer {
  /** milliseconds spent in the trainer's thread (weights out, summing, optimizer) vs. waiting for the workers, for the benchmark */
  readonly timing = { trainerMs: 0, workersMs: 0, weightsOutMs: 0, sumMs: 0, applyMs: 0, steps: 0 };
  private version = 0;
  private weightsDirty = true;
  private failure: Error | undefined;
  /**
   * where the parts' gradients are summed, reused every step: a fresh 1.7 MB array a step (the
   * small CNN) kept the trainer's thread in the garbage collector for 20% of an epoch
   */
  private sum: Float32Array | undefined;

  private constructor(
    private readonly model: tf.LayersModel,
    private readonly layout: Layout,
    private readonly weights: Float32Array,
    private readonly input: Float32Array,
    private readonly slots: Slot[],
  ) {
    for (const s of slots) {
      s.worker.on('message', (m: WorkerReply) => {
        const p = s.pending;
        s.pending = undefined;
        s.worker.unref();
        if (m.type === 'error') p?.reject(new Error(`a training worker failed: ${m.message}`));
        else p?.resolve(m);
      });
      s.worker.on('error', (err) => this.fail(s, new Error(`a training worker crashed: ${err.message}`)));
      s.worker.on('exit', (code) => this.fail(s, new Error(`a training worker ended (exit code ${code}; out of memory?)`)));
    }
  }

  /** Starts `workers` threads on `backend`, each with a replica of `model` built from its topology. */
  static async start(model: tf.LayersModel, backend: BackendName, workers: number, maxRows: number): Promise<ParallelTrainer> {
    const layout = layoutOf(model);
    const imageSize = model.inputs[0]!.shape[1] as number;
    const weights = new SharedArrayBuffer(layout.size * 4);
    const input = new SharedArrayBuffer(maxRows * imageSize * imageSize * 12);
    const topology = model.toJSON(null, false) as object;
    const slots = Array.from({ length: workers }, () => {
      const out = new SharedArrayBuffer(layout.size * 4);
      const data: GradientWorkerData = { entry: ENTRY, backend, topology, layout, weights, input, out };
      return { worker: new Worker(BOOT, { workerData: data }), out: new Float32Array(out) };
    });
    const started = await Promise.allSettled(
      slots.map(
        ({ worker }) =>
          new Promise<void>((resolve, reject) => {
            worker.once('message', (m: WorkerReply) => (m.type === 'ready' ? resolve() : reject(new Error(`a training worker failed to start: ${'message' in m ? m.message : m.type}`))));
            worker.once('error', (err) => reject(new Error(`a training worker failed to start: ${err.message}`)));
          }),
      ),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await Promise.all(slots.map((s) => s.worker.terminate()));
      throw failed.reason;
    }
    // an idle worker must not keep the trainer process alive after the run (or its failure)
    for (const s of slots) s.worker.unref();
    return new ParallelTrainer(model, layout, new Float32Array(weights), new Float32Array(input), slots);
  }

  get size(): number {
    return this.slots.length;
  }

  /** One training step on `batch`: gradients from the workers, applied once by `optimizer`. */
  async step(optimizer: tf.Optimizer, batch: Batch, classes: number, smoothing: number, k: number): Promise<StepStats> {
    const { grads, stats } = await this.gradients(batch, classes, smoothing, k);
    const t = performance.now();
    optimizer.applyGradients(grads);
    tf.dispose(grads.map((g) => g.tensor));
    this.weightsDirty = true;
    this.timing.trainerMs += performance.now() - t;
    this.timing.applyMs += performance.now() - t;
    this.timing.steps++;
    return stats;
  }

  /**
   * The batch's mean-loss gradients (keyed by the trainer's variable names, for
   * `optimizer.applyGradients`; the caller disposes them), without applying them: gradient
   * accumulation sums several of these. The moving statistics are updated at once.
   */
  async gradients(batch: Batch, classes: number, smoothing: number, k: number): Promise<{ grads: { name: string; tensor: tf.Tensor }[]; stats: StepStats }> {
    const { layout } = this;
    const { parts, replies } = await this.dispatch('step', batch, classes, smoothing, k);
    const t = performance.now();
    // the sum of the parts' (already weighted) gradients and moving statistics
    const used = this.slots.slice(0, parts.length);
    const sum = (this.sum ??= new Float32Array(layout.size));
    sum.set(used[0]!.out.subarray(0, layout.size));
    for (const s of used.slice(1)) for (let i = 0; i < layout.size; i++) sum[i]! += s.out[i]!;
    // WASM copies a new tensor's values into its memory; the plain CPU backend keeps the array, which the next step overwrites
    const copies = tf.getBackend() !== 'wasm';
    const grads = tf.tidy(() => {
      const vars = variablesOf(this.model);
      return layout.shapes.slice(0, layout.trainable).map((shape, i) => {
        const start = layout.offsets[i]!;
        const values = sum.subarray(start, start + shape.reduce((a, b) => a * b, 1));
        return { name: (vars[i]!.read() as tf.Variable).name, tensor: tf.tensor(copies ? values.slice() : values, shape, 'float32') };
      });
    });
    writeWeights(this.model, layout, sum, layout.trainable, layout.shapes.length);
    this.weightsDirty = true;
    this.timing.trainerMs += performance.now() - t;
    this.timing.sumMs += performance.now() - t;
    return { grads, stats: combine(parts, replies, batch.size) };
  }

  /** The validation loss (mean over the batch) and top-k hits of `batch`, in inference mode, over the workers (evalLoss). */
  async evaluate(batch: Batch, classes: number, k: number, flipAverage = false): Promise<StepStats> {
    const { parts, replies } = await this.dispatch('eval', batch, classes, 0, k, flipAverage);
    return combine(parts, replies, batch.size);
  }

  /** Sends the weights (when they changed) and the batch to the workers, one part each, and waits for them all. */
  private async dispatch(kind: StepRequest['kind'], batch: Batch, classes: number, smoothing: number, k: number, flipAverage = false): Promise<{ parts: { row: number; rows: number }[]; replies: WorkerReply[] }> {
    if (this.failure) throw this.failure;
    const t0 = performance.now();
    if (this.weightsDirty) {
      await readWeights(this.model, this.layout, this.weights, 0, this.layout.shapes.length);
      this.version++;
      this.weightsDirty = false;
    }
    const pixels = batch.xs.length / batch.size;
    if (batch.xs.length > this.input.length) throw new Error(`a batch of ${batch.size} is larger than the ${this.input.length / pixels} rows the workers were started for`);
    this.input.set(batch.xs);
    const parts = split(batch.size, this.slots.length);
    const t1 = performance.now();
    this.timing.weightsOutMs += t1 - t0;
    this.timing.trainerMs += t1 - t0;
    const replies = await Promise.all(
      parts.map(({ row, rows }, i) => {
        const slot = this.slots[i]!;
        const request: StepRequest = { kind, version: this.version, row, rows, labels: batch.labels.slice(row, row + rows), share: rows / batch.size, classes, smoothing, k, flipAverage };
        return new Promise<WorkerReply>((resolve, reject) => {
          slot.pending = { resolve, reject };
          // held while a step is out (the trainer may have nothing else keeping it alive), let go between steps
          slot.worker.ref();
          slot.worker.postMessage(request);
        });
      }),
    );
    this.timing.workersMs += performance.now() - t1;
    return { parts, replies };
  }

  /** The trainer's weights may have changed outside `step` (a checkpoint restored): send them again next step. */
  invalidate(): void {
    this.weightsDirty = true;
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private fail(slot: Slot, err: Error): void {
    if (!this.slots.includes(slot)) return; // closed on purpose
    this.failure ??= err;
    slot.pending?.reject(err);
    slot.pending = undefined;
  }
}

function combine(parts: { rows: number }[], replies: WorkerReply[], size: number): StepStats {
  let loss = 0;
  let top1 = 0;
  let top5 = 0;
  for (const [i, r] of replies.entries()) {
    if (r.type !== 'step') continue;
    loss += r.loss * (parts[i]!.rows / size);
    top1 += r.top1;
    top5 += r.top5;
  }
  return { loss, top1, top5 };
}

/** Rows per worker: as even as possible, never an empty part (a batch smaller than the pool uses fewer workers). */
export function split(rows: number, workers: number): { row: number; rows: number }[] {
  const n = Math.min(rows, workers);
  const parts: { row: number; rows: number }[] = [];
  let row = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.floor(rows / n) + (i < rows % n ? 1 : 0);
    parts.push({ row, rows: r });
    row += r;
  }
  return parts;
}
