/**
 * `--batch-size auto`: the batch a run uses when the user leaves it to Shiwake.
 *
 * On a GPU backend (webgpu, tensorflow-gpu) memory decides: a throwaway copy of the run's
 * model takes one real training step (forward, backward and the optimizer's update, on constant
 * pixels) at growing sizes, and batchSearch.ts bisects between the last that ran and the first
 * that ran out of memory. The run trains at the largest that ran.
 *
 * On the CPU backends speed decides (memory is the machine's, and large batches only cost
 * updates per epoch there): steps are timed on one model replica at 8 (16 where several worker
 * threads will share the batch), 16, 32... (always up to 32, then while each doubling still gains
 * 10% images/s, and while a step stays under 5 s); the smallest size within 10% of the best
 * images/s wins, and the run's batch is that size times the replicas the run trains on (one
 * worker thread per core on WASM and plain JS).
 *
 * Either answer is cached (batchSearch.ts) per device, backend, model and image size.
 */
import os from 'node:os';
import type { BatchProbe } from '../../shared/training.js';
import { cachedProbe, largestThatFits, MAX_BATCH, OutOfMemory, rememberProbe, type CachedProbe } from './batchSearch.js';
import { workersPerBackend } from './cores.js';
import { MIN_EXAMPLES_PER_WORKER, resolveWorkers } from './parallel/layout.js';
import { stepLoss } from './parallel/loss.js';
import { makeOptimizer, type ResolvedOptions } from './schedule.js';
import { tf, type BackendInfo } from './tf.js';

export interface AutoBatchSetup {
  backend: BackendInfo;
  /** a fresh model as the run builds it (disposed after the probe) */
  build: () => Promise<tf.LayersModel>;
  options: ResolvedOptions;
  classes: number;
  trainSize: number;
  /** worker threads asked for (CPU backends) */
  workers?: number;
  /**
   * Test hook: simulated device memory in bytes. The memory probe then runs on any backend,
   * and a step whose peak tensor memory (weights, optimizer slots and activations, as
   * TensorFlow.js counts them) exceeds it fails as out of memory.
   */
  memoryLimit?: number;
  /** said once, before a probe that is not cached (it can take a while) */
  onProbe?: (message: string) => void;
}

export interface AutoBatch {
  batchSize: number;
  probe: BatchProbe;
}

const GPU_BACKENDS = new Set(['webgpu', 'tensorflow-gpu']);
const SPEED_MAX = 256;
const SPEED_GAIN = 1.1;
const SPEED_NEAR_BEST = 0.9;
const SPEED_STEP_SECONDS = 5;
const SPEED_ALWAYS = 32;

function deviceName(backend: BackendInfo): string {
  if (backend.adapter) return [backend.adapter.vendor, backend.adapter.architecture, backend.adapter.device, backend.adapter.description].filter(Boolean).join(' ');
  return backend.device ?? `${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}`;
}

function cacheKey(method: CachedProbe['method'], s: AutoBatchSetup, imageSize: number): string {
  const o = s.options;
  return JSON.stringify({
    method, backend: s.backend.name, device: deviceName(s.backend), model: o.backbone ?? o.model, imageSize, classes: s.classes,
    optimizer: o.optimizer, alpha: o.alpha, auxHead: o.auxHead, fineTuneLayers: o.fineTuneLayers, limit: s.memoryLimit ?? null,
  });
}

/**
 * Pixels and labels for one step at `size`. The values change neither the memory nor the time a
 * step takes, so the pixels are a constant made on the device (a fill kernel): random ones would
 * be generated and uploaded from JavaScript, which at a GPU's batch sizes costs more than the step.
 */
function inputs(size: number, imageSize: number, classes: number): { xs: tf.Tensor4D; ys: tf.Tensor1D } {
  return { xs: tf.fill([size, imageSize, imageSize, 3], 0.5) as tf.Tensor4D, ys: tf.tensor1d(Array.from({ length: size }, (_, i) => i % classes), 'int32') };
}

/** One training step at `size`, read back (so the device has done it). */
async function step(model: tf.LayersModel, optimizer: tf.Optimizer, size: number, imageSize: number, classes: number, smoothing: number): Promise<void> {
  const loss = tf.tidy(() => {
    const { xs, ys } = inputs(size, imageSize, classes);
    return optimizer.minimize(() => stepLoss(model, xs, ys, classes, smoothing).loss, true)!;
  });
  try {
    await loss.data();
  } finally {
    loss.dispose();
  }
}

/**
 * WebGPU reports a failed allocation in an error scope, not as an exception: the step runs
 * inside an out-of-memory scope and a validation scope (a buffer over the device's size limit
 * is a validation error), and either answer becomes this step's failure.
 */
async function withGpuErrorScopes(run: () => Promise<void>): Promise<void> {
  type Scoped = { pushErrorScope(f: string): void; popErrorScope(): Promise<{ message: string } | null> };
  const device = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: Scoped }).device : undefined;
  if (!device) return run();
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let failure: unknown;
  try {
    await run();
  } catch (err) {
    failure = err;
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  if (oom) throw new OutOfMemory(`WebGPU: ${oom.message}`);
  if (validation) throw /exceeds the max|larger than the max|too large/i.test(validation.message) ? new OutOfMemory(`WebGPU: ${validation.message}`) : new Error(`WebGPU: ${validation.message}`);
  if (failure) throw failure;
}

/** One step at `size` that throws OutOfMemory where it does not fit (or, under a simulated limit, would not). */
export async function tryStep(model: tf.LayersModel, optimizer: tf.Optimizer, size: number, classes: number, smoothing: number, memoryLimit?: number): Promise<{ peakBytes: number | null }> {
  const imageSize = model.inputs[0]!.shape[1] as number;
  const run = (): Promise<void> => step(model, optimizer, size, imageSize, classes, smoothing);
  if (memoryLimit === undefined) {
    await withGpuErrorScopes(run);
    return { peakBytes: null };
  }
  const profile = await tf.profile(run);
  if (profile.peakBytes > memoryLimit) throw new OutOfMemory(`a batch of ${size} needs ${profile.peakBytes} bytes, over the simulated limit of ${memoryLimit}`);
  return { peakBytes: profile.peakBytes };
}

/** Images/s of one replica at `size`: the fastest of three timed steps after one untimed (first-use allocations and kernel setup); the fastest, as other work on the machine only ever slows a step. */
async function imagesPerSec(model: tf.LayersModel, optimizer: tf.Optimizer, size: number, classes: number, smoothing: number): Promise<{ rate: number; seconds: number }> {
  const imageSize = model.inputs[0]!.shape[1] as number;
  await step(model, optimizer, size, imageSize, classes, smoothing);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await step(model, optimizer, size, imageSize, classes, smoothing);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { rate: size / best, seconds: best };
}

async function fastest(model: tf.LayersModel, optimizer: tf.Optimizer, first: number, max: number, classes: number, smoothing: number): Promise<CachedProbe> {
  const rates: Record<string, number> = {};
  let previous = 0;
  for (let size = Math.min(first, max); size <= max; size *= 2) {
    const { rate, seconds } = await imagesPerSec(model, optimizer, size, classes, smoothing);
    rates[size] = Math.round(rate * 10) / 10;
    // up to SPEED_ALWAYS every size is timed: one slow measurement (a busy machine) must not end the search at 8
    if ((size >= SPEED_ALWAYS && rate < previous * SPEED_GAIN) || seconds > SPEED_STEP_SECONDS) break;
    previous = rate;
  }
  const best = Math.max(...Object.values(rates));
  const chosen = Number(Object.entries(rates).find(([, r]) => r >= best * SPEED_NEAR_BEST)![0]);
  return { method: 'speed', chosen, failed_at: null, max, images_per_sec: rates, probed_at: new Date().toISOString() };
}

/** The batch for `--batch-size auto`, from the cache or a probe; see the top of this file. */
export async function autoBatch(s: AutoBatchSetup): Promise<AutoBatch> {
  const method: CachedProbe['method'] = GPU_BACKENDS.has(s.backend.name) || s.memoryLimit !== undefined ? 'memory' : 'speed';
  // the speed probe times one replica: the run gives each of its worker threads about that many examples
  const replicas = method === 'speed' ? (s.workers ?? workersPerBackend(s.backend.name)) : 1;
  const max = method === 'memory' ? MAX_BATCH : Math.max(1, Math.min(SPEED_MAX, Math.floor(s.trainSize / replicas)));
  const imageSize = s.options.imageSize;
  const key = cacheKey(method, s, imageSize);
  let found = cachedProbe(key, max);
  const cached = found !== undefined;
  if (!found) {
    s.onProbe?.(method === 'memory' ? `finding the largest batch that fits on ${deviceName(s.backend)} (once per model and image size)` : 'timing a few batch sizes to choose the fastest (once per model and image size)');
    const model = await s.build();
    const optimizer = makeOptimizer(s.options).optimizer;
    try {
      if (method === 'memory') {
        const fit = await largestThatFits((size) => tryStep(model, optimizer, size, s.classes, s.options.labelSmoothing, s.memoryLimit).then(() => undefined), max);
        found = { method, chosen: fit.chosen, failed_at: fit.failedAt, max, probed_at: new Date().toISOString() };
      } else {
        // with worker threads by default, each gets at least MIN_EXAMPLES_PER_WORKER (below it parallel/layout.ts would use fewer threads)
        const first = replicas > 1 && s.workers === undefined ? MIN_EXAMPLES_PER_WORKER : 8;
        found = await fastest(model, optimizer, first, max, s.classes, s.options.labelSmoothing);
      }
    } finally {
      optimizer.dispose();
      model.dispose();
    }
    rememberProbe(key, found);
  }
  // a batch larger than the training set would only be the whole set
  const batchSize = Math.max(1, Math.min(found.chosen * replicas, s.trainSize));
  // the threads the run will have (a small batch gets fewer than the cores: parallel/layout.ts)
  const workers = method === 'speed' ? resolveWorkers(s.workers, s.backend.name, batchSize) : 1;
  return { batchSize, probe: { method, chosen: found.chosen, failed_at: found.failed_at, cached, ...(workers > 1 ? { workers } : {}), ...(found.images_per_sec ? { images_per_sec: found.images_per_sec } : {}) } };
}
