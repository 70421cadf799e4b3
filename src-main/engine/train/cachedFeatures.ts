/**
 * Transfer learning on cached features: with a frozen backbone and no augmentation, the
 * backbone's output for an image is the same every epoch, so it is computed once (one pass
 * over the training and validation images) and the head (dropout + dense, as withNewHead
 * builds it) trains on those vectors: an epoch costs a few matrix products instead of a
 * forward pass of the backbone per image. The head's layers are the transfer model's own, so
 * the model saved at the end is the whole backbone + head, as an uncached run saves it.
 *
 * The features are kept in the run folder (`features/`) until the run is done, so a resumed
 * run reads them instead of computing them again; a stop during the pass keeps nothing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { replaceDir } from '../files.js';
import { shuffled } from '../../shared/random.js';
import { batchCount, batches, EVAL_CROP, turn, type Batch, type Sample } from './pipeline.js';
import type { PixelCache } from './pixelCache.js';
import { evalLoss, topKHits } from './parallel/loss.js';
import { tf } from './tf.js';

/** Features of the samples that decoded, in the samples' order, with their labels. */
export interface FeatureSet {
  features: Float32Array;
  labels: Int32Array;
  count: number;
  width: number;
}

/**
 * The transfer model cut in two that share weights: `features`, the backbone up to the
 * pooled vector the head reads, and `head`, that vector through the model's own
 * `head_dropout` and `head_logits` layers. Training `head` trains the transfer model.
 */
export function splitTransferModel(model: tf.LayersModel): { features: tf.LayersModel; head: tf.LayersModel; width: number } {
  const dropout = model.getLayer('head_dropout');
  const dense = model.getLayer('head_logits');
  const pooled = dropout.input as tf.SymbolicTensor; // read before the head's input gives the layer a second inbound node
  const width = pooled.shape[1] as number;
  const features = tf.model({ inputs: model.inputs, outputs: pooled, name: 'backbone_features' });
  const input = tf.input({ shape: [width], name: 'features' });
  const head = tf.model({ inputs: input, outputs: dense.apply(dropout.apply(input)) as tf.SymbolicTensor, name: 'head' });
  return { features, head, width };
}

export interface FeaturePassIO {
  run: string;
  emit(e: { type: 'features'; run: string; done: number; total: number; imagesPerSec: number; eta: number }): void;
  stopRequested(): boolean;
  onSkip(file: string, reason: string): void;
}

/**
 * Training and validation images whole, unflipped: no augmentation, as the uncached run with
 * augment 'none' sees them, and its evaluation crop (EVAL_CROP.none), which the saved model's
 * predictions use too.
 */
async function featurePass(model: tf.LayersModel, width: number, samples: Sample[], train: boolean, imageSize: number, batchSize: number, progress: (n: number) => boolean, onSkip: FeaturePassIO['onSkip'], pixels?: PixelCache): Promise<FeatureSet | null> {
  const features = new Float32Array(samples.length * width);
  const labels = new Int32Array(samples.length);
  let count = 0;
  for await (const batch of batches(samples, { batchSize, imageSize, train, shuffle: false, augment: 'none', evalCrop: EVAL_CROP.none, seed: 0, onSkip, cache: pixels })) {
    const out = tf.tidy(() => model.apply(tf.tensor4d(batch.xs, [batch.size, imageSize, imageSize, 3]), { training: false }) as tf.Tensor2D);
    try {
      features.set(await out.data(), count * width); // async: WebGPU has no synchronous read in Node
    } finally {
      out.dispose();
    }
    labels.set(batch.labels, count);
    count += batch.size;
    if (!progress(batch.size)) return null;
  }
  return { features: features.subarray(0, count * width), labels: labels.subarray(0, count), count, width };
}

/** What the cache was computed from: another backbone, image size or sample list computes it again. */
function cacheKey(backbone: string, imageSize: number, train: Sample[], validation: Sample[]): string {
  const hash = createHash('sha1').update(JSON.stringify({ v: 2, backbone, imageSize }) /* v2: validation images whole, as training's */);
  for (const s of [...train, null, ...validation]) hash.update(s ? `${s.file}\t${s.label}\n` : '--\n');
  return hash.digest('hex');
}

interface CacheMeta {
  key: string;
  width: number;
  train: number;
  validation: number;
}

function readCache(dir: string, key: string): { train: FeatureSet; validation: FeatureSet } | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'features.json'), 'utf8')) as CacheMeta;
    if (meta.key !== key) return null;
    const read = (name: string, count: number): FeatureSet => {
      const f = fs.readFileSync(path.join(dir, `${name}.features.f32`));
      const l = fs.readFileSync(path.join(dir, `${name}.labels.i32`));
      if (f.byteLength !== count * meta.width * 4 || l.byteLength !== count * 4) throw new Error('truncated');
      return { features: new Float32Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)), labels: new Int32Array(l.buffer.slice(l.byteOffset, l.byteOffset + l.byteLength)), count, width: meta.width };
    };
    return { train: read('train', meta.train), validation: read('validation', meta.validation) };
  } catch {
    return null; // absent or damaged: computed again
  }
}

function writeCache(dir: string, key: string, sets: { train: FeatureSet; validation: FeatureSet }): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const [name, set] of Object.entries(sets)) {
    fs.writeFileSync(path.join(tmp, `${name}.features.f32`), Buffer.from(set.features.buffer, set.features.byteOffset, set.features.byteLength));
    fs.writeFileSync(path.join(tmp, `${name}.labels.i32`), Buffer.from(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength));
  }
  const meta: CacheMeta = { key, width: sets.train.width, train: sets.train.count, validation: sets.validation.count };
  fs.writeFileSync(path.join(tmp, 'features.json'), JSON.stringify(meta));
  replaceDir(tmp, dir);
}

/**
 * The features of every training and validation sample: read from `dir` when it holds them
 * for the same backbone, size and samples, otherwise computed (progress events as training's,
 * stop between batches: null) and written there. `reused` says which.
 */
/** `pixels`: the run's pixel cache, so that the features are of the very inputs an uncached run trains on */
export async function cachedFeatures(dir: string, backbone: string, model: tf.LayersModel, width: number, data: { train: Sample[]; validation: Sample[] }, imageSize: number, batchSize: number, io: FeaturePassIO, pixels?: PixelCache): Promise<{ train: FeatureSet; validation: FeatureSet; reused: boolean } | null> {
  const key = cacheKey(backbone, imageSize, data.train, data.validation);
  const kept = readCache(dir, key);
  if (kept) return { ...kept, reused: true };
  const total = data.train.length + data.validation.length;
  const started = performance.now();
  let done = 0;
  let lastEmit = 0;
  const progress = (n: number): boolean => {
    done += n;
    const now = performance.now();
    if (now - lastEmit > 500 || done === total) {
      lastEmit = now;
      const imagesPerSec = done / Math.max(1e-3, (now - started) / 1000);
      io.emit({ type: 'features', run: io.run, done, total, imagesPerSec, eta: (total - done) / imagesPerSec });
    }
    return !io.stopRequested();
  };
  const train = await featurePass(model, width, data.train, true, imageSize, batchSize, progress, io.onSkip, pixels);
  const validation = train && (await featurePass(model, width, data.validation, false, imageSize, batchSize, progress, io.onSkip, pixels));
  if (!train || !validation) return null;
  writeCache(dir, key, { train, validation });
  return { train, validation, reused: false };
}

/**
 * One epoch's batches of cached features, in the order the image pipeline would give the
 * same samples (the same seeded shuffle; seed null: in order), skipping `skip` batches when
 * resuming mid-epoch.
 */
export async function* featureBatches(set: FeatureSet, batchSize: number, seed: number | null, skip = 0): AsyncGenerator<Batch> {
  const rows = Array.from({ length: set.count }, (_, i) => i);
  const order = seed === null ? rows : shuffled(rows, seed);
  const total = batchCount(set.count, batchSize);
  for (let b = skip; b < total; b++) {
    const picked = order.slice(b * batchSize, (b + 1) * batchSize);
    const xs = new Float32Array(picked.length * set.width);
    const labels = new Int32Array(picked.length);
    picked.forEach((r, i) => {
      xs.set(set.features.subarray(r * set.width, (r + 1) * set.width), i * set.width);
      labels[i] = set.labels[r]!;
    });
    // a step on features never waits for I/O: without this turn of the event loop a stop message would not arrive until the run ended
    await turn();
    yield { xs, labels, size: picked.length };
  }
}

/** Validation loss and top-k of the head on cached features, as the trainer's evaluate on images. */
export async function evaluateFeatures(head: tf.LayersModel, set: FeatureSet, batchSize: number, classes: number, k: number): Promise<{ loss: number | null; top1: number | null; top5: number | null }> {
  if (set.count === 0) return { loss: null, top1: null, top5: null };
  let loss = 0;
  let top1 = 0;
  let top5 = 0;
  for await (const batch of featureBatches(set, batchSize, null)) {
    const [l, logits] = tf.tidy(() => {
      const r = evalLoss(head, tf.tensor2d(batch.xs, [batch.size, set.width]), tf.tensor1d(batch.labels, 'int32'), classes);
      return [r.loss, r.logits] as const;
    });
    try {
      const [value, hits] = await Promise.all([l.data(), topKHits(logits, batch.labels, k)]);
      loss += value[0]! * batch.size;
      top1 += hits.top1;
      top5 += hits.top5;
    } finally {
      tf.dispose([l, logits]);
    }
  }
  return { loss: loss / set.count, top1: top1 / set.count, top5: top5 / set.count };
}
