/**
 * The input pipeline: samples are decoded and resized by sharp (on libuv's worker threads,
 * off the trainer's thread) a few batches ahead of the trainer, or, for small images the run's
 * PixelCache holds, resampled from memory. Training takes a random crop and flip (augment
 * 'none': the whole image, unflipped); evaluation a central crop (EVAL_CROP). Pixels are
 * scaled to [-1, 1] as in the reference.
 */
import { centralCrop, decodeForModel, type Crop } from '../images/modelInput.js';
import { cropResize } from '../images/resample.js';
import { rng, shuffled } from '../../shared/random.js';
import type { CachedSample, PixelCache } from './pixelCache.js';

export interface Sample extends CachedSample {
  /** 0-based class index */
  label: number;
}

export interface Batch {
  xs: Float32Array;
  labels: Int32Array;
  size: number;
}

export type Augment = 'inception' | 'light' | 'none';
const MIN_AREA: Record<Augment, number> = { inception: 0.35, light: 0.8, none: 1 };

/**
 * The central crop (share of each side) that evaluation and prediction take after training with
 * an augmentation, so that objects show at the scale training saw them: the reference's 87.5%
 * after its 35-100% crops; 95% after light ones (80-100% of the area: about 95% of the side on
 * average; on Fashion-MNIST 90.95% top-1 against 89.83% at 87.5%, same model); the whole image
 * after none (a backbone's cached features are of whole images).
 */
export const EVAL_CROP: Record<Augment, number> = { inception: 0.875, light: 0.95, none: 1 };

/** Inception-style random crop: a share of the area (35-100% for the reference), aspect 3/4-4/3. */
function randomCrop(random: () => number, augment: Augment): Crop {
  if (augment === 'none') return { left: 0, top: 0, width: 1, height: 1 };
  const min = MIN_AREA[augment];
  const area = min + (1 - min) * random();
  const aspect = Math.exp(Math.log(3 / 4) + random() * Math.log(16 / 9));
  const width = Math.min(1, Math.sqrt(area * aspect));
  const height = Math.min(1, Math.sqrt(area / aspect));
  return { left: random() * (1 - width), top: random() * (1 - height), width, height };
}

export interface BatchOptions {
  batchSize: number;
  imageSize: number;
  train: boolean;
  /** shuffle and augmentation seed (per epoch) */
  seed: number;
  augment?: Augment;
  /** small images kept decoded between epochs (the trainer's, one per run) */
  cache?: PixelCache;
  /** without `train`: the share of each side of the central crop (EVAL_CROP; default the reference's 87.5%) */
  evalCrop?: number;
  /** with `train`: false keeps the samples' order (a backbone's feature pass, which shuffles later) */
  shuffle?: boolean;
  /** batches to skip at the start (resuming mid-epoch) */
  skip?: number;
  prefetch?: number;
  /** called for each sample that cannot be decoded (it is left out) */
  onSkip?: (file: string, reason: string) => void;
}

/** The model's input for one sample: through the cache where it keeps the image, else sharp. */
function decodeSample(s: Sample, imageSize: number, crop: Crop, flip: boolean, train: boolean, cache: PixelCache | undefined): Promise<Uint8Array> {
  const bySharp = (): Promise<Uint8Array> => decodeForModel(s.file, s.format, imageSize, crop, flip);
  if (!cache?.keeps(s)) return bySharp();
  return train ? cache.original(s).then((pixels) => cropResize(pixels, crop, imageSize, flip)) : cache.input(`${s.file}\n${imageSize} ${crop.left} ${crop.top} ${crop.width} ${crop.height}`, bySharp);
}

export function batchCount(samples: number, batchSize: number): number {
  return Math.ceil(samples / batchSize);
}

/** Yields batches in order while decoding up to `prefetch` batches ahead. */
export async function* batches(samples: readonly Sample[], options: BatchOptions): AsyncGenerator<Batch> {
  const order = options.train && options.shuffle !== false ? shuffled(samples, options.seed) : samples;
  const random = rng(options.seed ^ 0x5bd1e995);
  const { batchSize, imageSize } = options;
  const pixels = imageSize * imageSize * 3;
  const total = batchCount(order.length, batchSize);
  const evalCrop = centralCrop(options.evalCrop ?? EVAL_CROP.inception);
  const plans = Array.from({ length: total }, (_, b) =>
    // 'none' is no augmentation at all (no flip either): what a backbone's cached features see
    order.slice(b * batchSize, (b + 1) * batchSize).map((s) => ({ s, crop: options.train ? randomCrop(random, options.augment ?? 'inception') : evalCrop, flip: options.train && options.augment !== 'none' && random() < 0.5 })),
  );
  const make = async (b: number): Promise<Batch> => {
    const plan = plans[b]!;
    // a file that fails to decode (changed or damaged since import) is left out of its batch, and reported
    const decoded = await Promise.all(
      plan.map(({ s, crop, flip }) =>
        decodeSample(s, imageSize, crop, flip, options.train, options.cache).then(
          (rgb) => ({ rgb, label: s.label }),
          (err: Error) => (options.onSkip?.(s.file, err.message), null),
        ),
      ),
    );
    const ok = decoded.filter((d): d is { rgb: Uint8Array; label: number } => d !== null);
    const xs = new Float32Array(ok.length * pixels);
    const labels = new Int32Array(ok.length);
    ok.forEach(({ rgb, label }, i) => {
      const base = i * pixels;
      for (let p = 0; p < pixels; p++) xs[base + p] = rgb[p]! / 127.5 - 1;
      labels[i] = label;
    });
    return { xs, labels, size: ok.length };
  };
  const ahead = options.prefetch ?? 3;
  const queue: Promise<Batch>[] = [];
  let next = options.skip ?? 0;
  while (queue.length < ahead && next < total) queue.push(make(next++));
  while (queue.length > 0) {
    const batch = await queue.shift()!;
    if (next < total) queue.push(make(next++));
    // with the images in memory a batch is ready without I/O: let the event loop (Stop, progress messages) run
    await turn();
    if (batch.size > 0) yield batch;
  }
}

/** One turn of the event loop: a loop that awaits only settled promises never gives it one. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
