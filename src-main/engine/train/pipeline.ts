/**
 * The input pipeline: samples are decoded and resized by sharp (on libuv's worker threads,
 * off the trainer's thread) a few batches ahead of the trainer, or, for small images the run's
 * PixelCache holds, resampled from memory. Training takes a random crop and flip (augment
 * 'shift': the whole image moved by a few pixels, and flipped; 'none': the whole image,
 * unflipped); evaluation a central crop (EVAL_CROP). Pixels are scaled to [-1, 1] as in the
 * reference.
 */
import { centralCrop, decodeForModel, type Crop } from '../images/modelInput.js';
import { cropResize, translate } from '../images/resample.js';
import { rng, shuffled } from '../../shared/random.js';
import type { Augment } from '../../shared/training.js';
import type { CachedSample, PixelCache } from './pixelCache.js';

export type { Augment };

export interface Sample extends CachedSample {
  /** 0-based class index */
  label: number;
}

export interface Batch {
  /** valid until the consumer takes the next batch but one: the arrays are reused (see `batches`) */
  xs: Float32Array;
  labels: Int32Array;
  size: number;
}

const MIN_AREA: Record<Augment, number> = { inception: 0.35, light: 0.8, shift: 1, none: 1 };

/**
 * The central crop (share of each side) that evaluation and prediction take after training with
 * an augmentation, so that objects show at the scale training saw them: the reference's 87.5%
 * after its 35-100% crops; 95% after light ones (80-100% of the area: about 95% of the side on
 * average; on Fashion-MNIST 90.95% top-1 against 89.83% at 87.5%, same model); the whole image
 * after shift (whole images moved by a few pixels) and none (a backbone's cached features are of
 * whole images).
 */
export const EVAL_CROP: Record<Augment, number> = { inception: 0.875, light: 0.95, shift: 1, none: 1 };

/** Inception-style random crop: a share of the area (35-100% for the reference), aspect 3/4-4/3. */
function randomCrop(random: () => number, augment: Augment): Crop {
  if (augment === 'none' || augment === 'shift') return { left: 0, top: 0, width: 1, height: 1 };
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

/**
 * The 'shift' augmentation's largest move, in pixels of the model's input on each axis: about a
 * fourteenth of the side (2 pixels at 28 or 32, as the usual padding of 2 or 4 and a random crop).
 */
export const maxShift = (imageSize: number): number => Math.max(1, Math.round(imageSize / 14));

interface Plan {
  s: Sample;
  crop: Crop;
  flip: boolean;
  /** whole pixels right and down ('shift') */
  shift: [number, number];
}

/** The model's input for one sample: through the cache where it keeps the image, else sharp; then moved by the plan's shift. */
async function decodeSample({ s, crop, flip, shift }: Plan, imageSize: number, train: boolean, cache: PixelCache | undefined): Promise<Uint8Array> {
  const bySharp = (): Promise<Uint8Array> => decodeForModel(s.file, s.format, imageSize, crop, flip);
  const rgb = !cache?.keeps(s)
    ? await bySharp()
    : train
      ? cropResize(await cache.original(s), crop, imageSize, flip)
      : ((await wholeAtSize(s, crop, imageSize, cache)) ?? (await cache.input(`${s.file}\n${imageSize} ${crop.left} ${crop.top} ${crop.width} ${crop.height}`, bySharp)));
  return translate(rgb, imageSize, shift[0], shift[1]);
}

/** An evaluation input that is the whole image at its own size: the decoded original itself (sharp's resize would give the same bytes). */
async function wholeAtSize(s: Sample, crop: Crop, imageSize: number, cache: PixelCache): Promise<Uint8Array | null> {
  if (crop.left !== 0 || crop.top !== 0 || crop.width !== 1 || crop.height !== 1 || s.width !== imageSize || s.height !== imageSize) return null;
  const original = await cache.original(s);
  return original.width === imageSize && original.height === imageSize ? original.data : null;
}

function trainingPlan(s: Sample, random: () => number, augment: Augment, imageSize: number): Plan {
  const crop = randomCrop(random, augment);
  // 'none' is no augmentation at all (no flip either): what a backbone's cached features see
  const flip = augment !== 'none' && random() < 0.5;
  const m = maxShift(imageSize);
  const move = (): number => Math.min(m, Math.floor(random() * (2 * m + 1)) - m);
  return { s, crop, flip, shift: augment === 'shift' ? [move(), move()] : [0, 0] };
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
    order.slice(b * batchSize, (b + 1) * batchSize).map((s): Plan => (options.train ? trainingPlan(s, random, options.augment ?? 'inception', imageSize) : { s, crop: evalCrop, flip: false, shift: [0, 0] })),
  );
  const ahead = options.prefetch ?? 3;
  // Each batch's pixels go into one of a few arrays reused in turn (the consumer finishes with a
  // batch before it takes the next, and at most `ahead` more are being filled): a fresh 600 KB
  // array a step (batch 64, 28 px) kept the trainer's thread in the garbage collector.
  const ring = Array.from({ length: ahead + 2 }, () => new Float32Array(0));
  const make = async (b: number): Promise<Batch> => {
    const plan = plans[b]!;
    // a file that fails to decode (changed or damaged since import) is left out of its batch, and reported
    const decoded = await Promise.all(
      plan.map((p) =>
        decodeSample(p, imageSize, options.train, options.cache).then(
          (rgb) => ({ rgb, label: p.s.label }),
          (err: Error) => (options.onSkip?.(p.s.file, err.message), null),
        ),
      ),
    );
    const ok = decoded.filter((d): d is { rgb: Uint8Array; label: number } => d !== null);
    const slot = b % ring.length;
    if (ring[slot]!.length < batchSize * pixels) ring[slot] = new Float32Array(batchSize * pixels);
    const xs = ring[slot]!.subarray(0, ok.length * pixels);
    const labels = new Int32Array(ok.length);
    ok.forEach(({ rgb, label }, i) => {
      const base = i * pixels;
      for (let p = 0; p < pixels; p++) xs[base + p] = rgb[p]! / 127.5 - 1;
      labels[i] = label;
    });
    return { xs, labels, size: ok.length };
  };
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
