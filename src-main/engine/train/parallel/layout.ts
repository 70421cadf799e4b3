/**
 * Where each weight of a model lives in the flat Float32 buffers that the trainer and its
 * gradient workers share (SharedArrayBuffer): trainable weights first, then the rest
 * (BatchNorm moving statistics, frozen backbone layers), in `model.weights` order. A
 * replica built from the same topology has the same order, so weights travel by position,
 * not by name (tfjs suffixes names differently in each thread).
 */
import { workersPerBackend } from '../cores.js';
import type { BackendName } from '../tf.js';
import { tf } from '../tf.js';
import type { WasmMemory } from '../wasmMaxPoolGrad.js';

export interface Layout {
  shapes: number[][];
  offsets: number[];
  /** how many of the weights (from the start) are trainable */
  trainable: number;
  /** floats in the trainable weights */
  trainableSize: number;
  /** floats in all weights */
  size: number;
}

export function layoutOf(model: tf.LayersModel): Layout {
  const weights = [...model.trainableWeights, ...model.nonTrainableWeights];
  const shapes = weights.map((w) => [...w.shape] as number[]);
  const offsets: number[] = [];
  let size = 0;
  let trainableSize = 0;
  shapes.forEach((s, i) => {
    offsets.push(size);
    size += s.reduce((a, b) => a * b, 1);
    if (i === model.trainableWeights.length - 1) trainableSize = size;
  });
  return { shapes, offsets, trainable: model.trainableWeights.length, trainableSize, size };
}

export function variablesOf(model: tf.LayersModel): tf.LayerVariable[] {
  return [...model.trainableWeights, ...model.nonTrainableWeights];
}

/** Copies weights `from`..`to` (indices) of the model into `target`, at the layout's offsets minus `base`. */
export async function readWeights(model: tf.LayersModel, layout: Layout, target: Float32Array, from: number, to: number, base = 0): Promise<void> {
  const vars = variablesOf(model);
  for (let i = from; i < to; i++) await copyValues(vars[i]!.read(), target, layout.offsets[i]! - base);
}

/**
 * Copies a float32 tensor's values into `target` at `offset`. On WASM straight from the
 * backend's memory: `data()` makes a fresh array each time, and a step's 1.7 MB of them (the
 * small CNN's weights, read out every step) kept the trainer's thread in the garbage collector.
 */
export async function copyValues(t: tf.Tensor, target: Float32Array, offset: number): Promise<void> {
  if (tf.getBackend() === 'wasm') {
    // a view, used at once: a later allocation could grow the memory and detach it
    target.set((tf.backend() as unknown as WasmMemory).typedArrayFromHeap(t), offset);
    return;
  }
  target.set((await t.data()) as Float32Array, offset);
}

/** Writes weights `from`..`to` from `source` (at the layout's offsets minus `base`) into the model's variables. */
export function writeWeights(model: tf.LayersModel, layout: Layout, source: Float32Array, from: number, to: number, base = 0): void {
  const vars = variablesOf(model);
  for (let i = from; i < to; i++) {
    const start = layout.offsets[i]! - base;
    const n = layout.shapes[i]!.reduce((a, b) => a * b, 1);
    const t = tf.tensor(source.subarray(start, start + n), layout.shapes[i]!, 'float32');
    vars[i]!.write(t);
    t.dispose();
  }
}

export function sameLayout(a: Layout, b: Layout): boolean {
  return a.trainable === b.trainable && a.size === b.size && a.shapes.length === b.shapes.length && a.shapes.every((s, i) => s.join() === b.shapes[i]!.join());
}

/**
 * Below this many examples per worker and step, a worker's share of the work costs less than
 * moving the weights and gradients for it (about 45 ms a step for the small CNN), so a small
 * batch trains on fewer workers than there are cores: a batch of 8 on one thread.
 */
export const MIN_EXAMPLES_PER_WORKER = 16;

/**
 * The worker count a run uses: what was asked, or by default one per core on the CPU backends
 * while each gets MIN_EXAMPLES_PER_WORKER examples of the batch; a one-line refusal for a GPU
 * backend (one device, one replica).
 */
export function resolveWorkers(asked: number | undefined, backend: BackendName, batchSize: number): number {
  if (asked === undefined) return Math.max(1, Math.min(workersPerBackend(backend), Math.floor(batchSize / MIN_EXAMPLES_PER_WORKER)));
  if (!Number.isInteger(asked) || asked < 1) throw new Error(`workers must be a whole number of at least 1 (got ${asked})`);
  if (asked > 1 && (backend === 'webgpu' || backend === 'tensorflow-gpu')) throw new Error(`--workers ${asked} is for the CPU backends (wasm, cpu, tensorflow): the ${backend} backend trains on one GPU with one model replica; leave --workers out or use --workers 1`);
  return asked;
}

/** The backend as a person reads it, with the worker threads: "WASM (CPU, SIMD), 2 worker threads". */
export function workersLabel(label: string, workers: number): string {
  return workers > 1 ? `${label.replace(/, 1 thread\)$/, ')')}, ${workers} worker threads` : label;
}
