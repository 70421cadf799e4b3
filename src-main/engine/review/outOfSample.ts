/**
 * Out-of-sample probabilities from embeddings, without training K networks:
 * - K-fold heads: stratified folds; per fold a multinomial logistic regression (softmax over
 *   the classes, a few epochs of Adam) learns from the other folds and scores its own;
 * - k nearest neighbours: each item's class probabilities are the votes of its k most similar
 *   items (cosine), its own vote left out, as cleanlab's Datalab does when only features exist.
 * Both keep per item only its top k classes and the probability of its label.
 */
import { seededHash, shuffled } from '../../shared/random.js';
import { tf } from '../train/tf.js';
import type { OutOfSample } from './confidentLearning.js';
import type { Embeddings } from './embeddingStore.js';

export const KEPT_TOP = 10;

export interface ScoringInput {
  emb: Embeddings;
  /** per row: class index (-1: left out, e.g. a category too small to fold) */
  classOf: Int32Array;
  classes: number;
}

export type Progress = (done: number, total: number, phase: string) => void;

export function emptyResult(n: number, classes: number, classOf: Int32Array): OutOfSample {
  const k = Math.min(KEPT_TOP, classes);
  return { label: classOf, labelProb: new Float32Array(n), topClass: new Int32Array(n * k).fill(-1), topProb: new Float32Array(n * k), k, classes };
}

/** Writes one row's top k and label probability from a probability vector. */
export function keep(out: OutOfSample, row: number, probs: Float32Array | Float64Array, offset: number): void {
  const { k, classes } = out;
  out.labelProb[row] = probs[offset + out.label[row]!]!;
  const best: number[] = [];
  for (let j = 0; j < classes; j++) {
    const p = probs[offset + j]!;
    if (best.length < k || p > probs[offset + best[best.length - 1]!]!) {
      let at = best.length;
      while (at > 0 && probs[offset + best[at - 1]!]! < p) at--;
      best.splice(at, 0, j);
      if (best.length > k) best.pop();
    }
  }
  best.forEach((j, t) => {
    out.topClass[row * k + t] = j;
    out.topProb[row * k + t] = probs[offset + j]!;
  });
}

/**
 * The values of a tensor made in a tidy scope, the scope's other tensors disposed. Not
 * `tf.tidy(() => t.dataSync())`: tidy walks whatever its function returns looking for tensors,
 * key by key, and a typed array of 4 million floats took it 4 s (the values themselves 50 ms).
 */
export function valuesOf<T extends Float32Array | Int32Array = Float32Array>(make: () => tf.Tensor): T {
  const t = tf.tidy(make);
  const values = t.dataSync() as T;
  t.dispose();
  return values;
}

/**
 * Softmax over the last axis with each exponent floored at -80 (e^-80 is 2e-35, nothing to a
 * probability): WASM does not flush subnormal floats to zero, and the exponentials of far-off
 * logits that land there made a softmax of 4,096 x 1,000 logits 100 times slower (17 s).
 */
export function flooredSoftmax(logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const e = tf.exp(tf.maximum(tf.sub(logits, tf.max(logits, 1, true)), -80));
    return tf.div(e, tf.sum(e, 1, true));
  });
}

/** log(sum(exp(x))) over the last axis, with the same floor. */
export function flooredLogSumExp(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const max = tf.max(logits, 1, true);
    return tf.reshape(tf.add(max, tf.log(tf.sum(tf.exp(tf.maximum(tf.sub(logits, max), -80)), 1, true))), [-1]);
  });
}

/** Stratified fold of each row: rows of a class in seeded order, dealt round-robin. */
export function stratifiedFolds(ids: Int32Array, classOf: Int32Array, folds: number, seed: number): Int8Array {
  const fold = new Int8Array(ids.length).fill(-1);
  const byClass = new Map<number, number[]>();
  classOf.forEach((c, r) => c >= 0 && (byClass.get(c) ?? byClass.set(c, []).get(c)!).push(r));
  for (const rows of byClass.values()) {
    rows.sort((a, b) => seededHash(String(ids[a]), seed) - seededHash(String(ids[b]), seed));
    rows.forEach((r, n) => (fold[r] = n % folds));
  }
  return fold;
}

function rowsTensor(emb: Embeddings, rows: readonly number[]): tf.Tensor2D {
  const { dim, vectors } = emb;
  const x = new Float32Array(rows.length * dim);
  const scale = Math.sqrt(dim); // unit-length rows to unit-variance features
  rows.forEach((r, i) => {
    for (let j = 0; j < dim; j++) x[i * dim + j] = vectors[r * dim + j]! * scale;
  });
  return tf.tensor2d(x, [rows.length, dim]);
}

/** The starting weights: each class's mean embedding (scaled like the inputs), a nearest-centroid classifier. */
function centroids(emb: Embeddings, classOf: Int32Array, classes: number, rows: readonly number[]): tf.Tensor2D {
  const { dim, vectors } = emb;
  const sums = new Float32Array(dim * classes);
  const counts = new Float32Array(classes);
  for (const r of rows) {
    const c = classOf[r]!;
    counts[c]!++;
    for (let j = 0; j < dim; j++) sums[j * classes + c]! += vectors[r * dim + j]!;
  }
  // unit-length centroids times a temperature, so the first logits are already sharp
  for (let c = 0; c < classes; c++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += sums[j * classes + c]! ** 2;
    const scale = norm > 0 ? 5 / Math.sqrt(norm) / Math.sqrt(dim) : 0;
    for (let j = 0; j < dim; j++) sums[j * classes + c]! *= scale;
  }
  return tf.tensor2d(sums, [dim, classes]);
}

/** K-fold multinomial logistic regression heads. */
export async function kfoldProbabilities(input: ScoringInput, folds = 5, seed = 42, onProgress?: Progress): Promise<OutOfSample> {
  const { emb, classOf, classes } = input;
  const n = emb.ids.length;
  const out = emptyResult(n, classes, classOf);
  const fold = stratifiedFolds(emb.ids, classOf, folds, seed);
  const batchSize = n > 200_000 ? 2048 : 512;
  for (let f = 0; f < folds; f++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let r = 0; r < n; r++) if (fold[r]! >= 0) (fold[r] === f ? testRows : trainRows).push(r);
    // about two million row-steps per fold: 15 epochs of 100k rows, 2 of 1M (started from the
    // class centroids, a head needs few epochs to settle)
    const epochs = Math.max(2, Math.min(15, Math.round(2_000_000 / Math.max(1, trainRows.length))));
    const w = tf.variable(centroids(emb, classOf, classes, trainRows));
    const b = tf.variable(tf.zeros([classes]));
    const optimizer = tf.train.adam(0.01);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = shuffled(trainRows, seed + epoch * 31 + f);
      for (let s = 0; s < order.length; s += batchSize) {
        const rows = order.slice(s, s + batchSize);
        tf.tidy(() => {
          const x = rowsTensor(emb, rows);
          const y = tf.oneHot(tf.tensor1d(rows.map((r) => classOf[r]!), 'int32'), classes);
          optimizer.minimize(() => tf.add(tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, w), b)), tf.mul(1e-4, tf.sum(tf.square(w)))) as tf.Scalar);
        });
        if ((s / batchSize) % 16 === 15) await tf.nextFrame(); // let progress and cancel messages through
      }
      onProgress?.(f * epochs + epoch + 1, folds * epochs, `fold ${f + 1} of ${folds}`);
    }
    for (let s = 0; s < testRows.length; s += 4096) {
      const rows = testRows.slice(s, s + 4096);
      const probs = valuesOf(() => flooredSoftmax(tf.add(tf.matMul(rowsTensor(emb, rows), w), b)));
      rows.forEach((r, i) => keep(out, r, probs, i * classes));
    }
    w.dispose();
    b.dispose();
    optimizer.dispose();
  }
  return out;
}

/** The largest item count the exact kNN search takes (n x n similarities in chunks). */
export const KNN_EXACT_LIMIT = 200_000;

/** k-nearest-neighbour votes (cosine similarity, own vote left out), smoothed so no class is 0. */
export async function knnProbabilities(input: ScoringInput, k = 10, onProgress?: Progress): Promise<OutOfSample> {
  const { emb, classOf, classes } = input;
  const n = emb.ids.length;
  if (n > KNN_EXACT_LIMIT) throw new Error(`the kNN estimate searches exactly and takes at most ${KNN_EXACT_LIMIT.toLocaleString('en-US')} items (${n.toLocaleString('en-US')} here): use the K-fold heads`);
  const out = emptyResult(n, classes, classOf);
  const all = tf.tensor2d(emb.vectors, [n, emb.dim]);
  const alpha = 0.1; // smoothing: an unseen class keeps a little probability
  const probs = new Float64Array(classes);
  const chunk = 1024;
  for (let s = 0; s < n; s += chunk) {
    const end = Math.min(n, s + chunk);
    const neighbours = valuesOf<Int32Array>(() => tf.topk(tf.matMul(all.slice([s, 0], [end - s, emb.dim]), all, false, true), Math.min(k + 1, n)).indices);
    const width = Math.min(k + 1, n);
    for (let r = s; r < end; r++) {
      if (classOf[r]! < 0) continue;
      probs.fill(alpha);
      let votes = 0;
      for (let t = 0; t < width && votes < k; t++) {
        const nb = neighbours[(r - s) * width + t]!;
        if (nb === r || classOf[nb]! < 0) continue;
        probs[classOf[nb]!]!++;
        votes++;
      }
      const total = votes + alpha * classes;
      for (let j = 0; j < classes; j++) probs[j]! /= total;
      keep(out, r, probs, 0);
    }
    onProgress?.(end, n, 'nearest neighbours');
    await tf.nextFrame();
  }
  all.dispose();
  return out;
}
