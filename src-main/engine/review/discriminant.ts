/**
 * K-fold heads in closed form: linear discriminant analysis (one Gaussian per class with a
 * shared, shrunk covariance). Per fold the class means and the covariance come from the other
 * folds' sums, which are computed once: the cost is one pass to sum, one D x D solve per fold
 * and one product to score, instead of epochs of gradient steps. At a million items and a
 * thousand classes that is minutes where the logistic heads take most of an hour on two
 * cores (docs/benchmarks.md), and on noisy Fashion-MNIST it ranks the flipped labels as well.
 *
 * The logits of class c: x . w_c + b_c with w_c = S^-1 mu_c and b_c = -mu_c . w_c / 2 +
 * log prior_c, S the pooled within-class covariance shrunk towards its mean variance
 * (Ledoit-Wolf style, fixed weight), then a temperature fitted on a sample of the training
 * rows (by log-loss), so the probabilities are calibrated enough for per-class thresholds.
 */
import { rng } from '../../shared/random.js';
import { tf } from '../train/tf.js';
import type { OutOfSample } from './confidentLearning.js';
import { emptyResult, flooredLogSumExp, flooredSoftmax, keep, stratifiedFolds, valuesOf, type Progress, type ScoringInput } from './outOfSample.js';

const SHRINK = 0.1;
const SCORE_CHUNK = 4096;
/** training rows the temperature is fitted on, per fold */
const TEMPERATURE_SAMPLE = 2000;

/** Per fold: sums of x per class, counts per class, and X^T X (D x D), in float64. */
interface FoldSums {
  sums: Float64Array; // classes x dim
  counts: Float64Array; // classes
  scatter: Float64Array; // dim x dim
}

function foldSums(input: ScoringInput, fold: Int8Array, folds: number): FoldSums[] {
  const { emb, classOf, classes } = input;
  const { dim, vectors } = emb;
  const out = Array.from({ length: folds }, () => ({ sums: new Float64Array(classes * dim), counts: new Float64Array(classes), scatter: new Float64Array(dim * dim) }));
  const byFold = Array.from({ length: folds }, () => [] as number[]);
  fold.forEach((f, r) => f >= 0 && byFold[f]!.push(r));
  for (let f = 0; f < folds; f++) {
    const { sums, counts, scatter } = out[f]!;
    const rows = byFold[f]!;
    for (const r of rows) {
      const c = classOf[r]!;
      counts[c]!++;
      for (let j = 0; j < dim; j++) sums[c * dim + j]! += vectors[r * dim + j]!;
    }
    // X^T X of the fold, in chunks: a D x chunk by chunk x D product on the backend
    for (let s = 0; s < rows.length; s += 8192) {
      const chunk = rows.slice(s, s + 8192);
      const x = new Float32Array(chunk.length * dim);
      chunk.forEach((r, i) => x.set(vectors.subarray(r * dim, (r + 1) * dim), i * dim));
      const xtx = valuesOf(() => {
        const t = tf.tensor2d(x, [chunk.length, dim]);
        return tf.matMul(tf.transpose(t), t);
      });
      for (let i = 0; i < dim * dim; i++) scatter[i]! += xtx[i]!;
    }
  }
  return out;
}

/** Cholesky factor L (lower, row-major) of a symmetric positive definite n x n matrix. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (sum <= 0) throw new Error('the covariance of the embeddings is not positive definite');
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j]!;
    }
  }
  return l;
}

/** Solves (L L^T) X = B for X, B being n x m (row-major), in place. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, m: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const f = l[i * n + k]!;
      if (f !== 0) for (let c = 0; c < m; c++) b[i * m + c]! -= f * b[k * m + c]!;
    }
    const d = l[i * n + i]!;
    for (let c = 0; c < m; c++) b[i * m + c]! /= d;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const f = l[k * n + i]!;
      if (f !== 0) for (let c = 0; c < m; c++) b[i * m + c]! -= f * b[k * m + c]!;
    }
    const d = l[i * n + i]!;
    for (let c = 0; c < m; c++) b[i * m + c]! /= d;
  }
  return b;
}

/** The discriminant of the rows outside fold `f`: weights (dim x classes) and biases. */
function discriminant(all: FoldSums[], f: number, dim: number, classes: number): { w: Float32Array; b: Float32Array } {
  const sums = new Float64Array(classes * dim);
  const counts = new Float64Array(classes);
  const scatter = new Float64Array(dim * dim);
  all.forEach((s, g) => {
    if (g === f) return;
    for (let i = 0; i < sums.length; i++) sums[i]! += s.sums[i]!;
    for (let i = 0; i < classes; i++) counts[i]! += s.counts[i]!;
    for (let i = 0; i < scatter.length; i++) scatter[i]! += s.scatter[i]!;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const present = counts.reduce((a, c) => a + (c > 0 ? 1 : 0), 0);
  // pooled within-class covariance: (X^T X - sum_c n_c mu_c mu_c^T) / (N - C)
  const means = new Float64Array(classes * dim);
  for (let c = 0; c < classes; c++) if (counts[c]! > 0) for (let j = 0; j < dim; j++) means[c * dim + j] = sums[c * dim + j]! / counts[c]!;
  const meansT = valuesOf(() => {
    const m = tf.tensor2d(Float32Array.from(means), [classes, dim]);
    const weighted = tf.mul(m, tf.tensor2d(Float32Array.from(counts), [classes, 1]));
    return tf.matMul(tf.transpose(m), weighted);
  });
  const denominator = Math.max(1, total - present);
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < dim * dim; i++) cov[i] = (scatter[i]! - meansT[i]!) / denominator;
  let trace = 0;
  for (let i = 0; i < dim; i++) trace += cov[i * dim + i]!;
  const floor = Math.max(trace / dim, 1e-8);
  for (let i = 0; i < dim * dim; i++) cov[i]! *= 1 - SHRINK;
  for (let i = 0; i < dim; i++) cov[i * dim + i]! += SHRINK * floor;
  // W = S^-1 M^T (dim x classes)
  const rhs = new Float64Array(dim * classes);
  for (let c = 0; c < classes; c++) for (let j = 0; j < dim; j++) rhs[j * classes + c] = means[c * dim + j]!;
  const w = choleskySolve(cholesky(cov, dim), dim, rhs, classes);
  const b = new Float32Array(classes);
  for (let c = 0; c < classes; c++) {
    if (counts[c]! === 0) {
      b[c] = -1e9; // a class with no items outside this fold cannot be predicted
      continue;
    }
    let quad = 0;
    for (let j = 0; j < dim; j++) quad += means[c * dim + j]! * w[j * classes + c]!;
    b[c] = -quad / 2 + Math.log(counts[c]! / total);
  }
  return { w: Float32Array.from(w), b };
}

/** Logits of some rows, on the backend. */
function logitsOf(input: ScoringInput, rows: readonly number[], w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  const { dim, vectors } = input.emb;
  const x = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => x.set(vectors.subarray(r * dim, (r + 1) * dim), i * dim));
  return tf.add(tf.matMul(tf.tensor2d(x, [rows.length, dim]), w), b);
}

/** The temperature (dividing the logits) with the lowest log-loss on a sample of training rows. */
function fitTemperature(input: ScoringInput, rows: readonly number[], w: tf.Tensor2D, b: tf.Tensor1D): number {
  return tf.tidy(() => {
    const logits = logitsOf(input, rows, w, b);
    const picked = tf.sum(tf.mul(logits, tf.oneHot(tf.tensor1d(rows.map((r) => input.classOf[r]!), 'int32'), input.classes)), 1);
    const loss = (k: number): number => valuesOf(() => tf.mean(tf.sub(flooredLogSumExp(tf.mul(logits, k)), tf.mul(picked, k))))[0]!;
    // the log-loss is convex in 1/T: golden-section search of log(1/T) over [1/20, 20], one new point a step
    let [lo, hi] = [Math.log(0.05), Math.log(20)];
    const ratio = (Math.sqrt(5) - 1) / 2;
    let a = hi - ratio * (hi - lo);
    let c = lo + ratio * (hi - lo);
    let [fa, fc] = [loss(Math.exp(a)), loss(Math.exp(c))];
    for (let i = 0; i < 14; i++) {
      if (fa < fc) {
        [hi, c, fc] = [c, a, fa];
        a = hi - ratio * (hi - lo);
        fa = loss(Math.exp(a));
      } else {
        [lo, a, fa] = [a, c, fc];
        c = lo + ratio * (hi - lo);
        fc = loss(Math.exp(c));
      }
    }
    return 1 / Math.exp((lo + hi) / 2);
  });
}

/** Out-of-sample probabilities from stratified K-fold discriminants. */
export async function discriminantProbabilities(input: ScoringInput, folds = 5, seed = 42, onProgress?: Progress): Promise<OutOfSample> {
  const { emb, classOf, classes } = input;
  const n = emb.ids.length;
  const out = emptyResult(n, classes, classOf);
  const fold = stratifiedFolds(emb.ids, classOf, folds, seed);
  const sums = foldSums(input, fold, folds);
  onProgress?.(1, folds + 1, 'sums');
  const random = rng(seed);
  for (let f = 0; f < folds; f++) {
    const { w: wData, b: bData } = discriminant(sums, f, emb.dim, classes);
    const testRows: number[] = [];
    const sample: number[] = [];
    for (let r = 0; r < n; r++) {
      if (fold[r]! < 0) continue;
      if (fold[r] === f) testRows.push(r);
      else if (sample.length < TEMPERATURE_SAMPLE && random() < TEMPERATURE_SAMPLE / n) sample.push(r);
    }
    const w = tf.tensor2d(wData, [emb.dim, classes]);
    const b = tf.tensor1d(bData);
    const inverseT = 1 / fitTemperature(input, sample, w, b);
    for (let s = 0; s < testRows.length; s += SCORE_CHUNK) {
      const rows = testRows.slice(s, s + SCORE_CHUNK);
      const probs = valuesOf(() => flooredSoftmax(tf.mul(logitsOf(input, rows, w, b), inverseT)));
      rows.forEach((r, i) => keep(out, r, probs, i * classes));
      if ((s / SCORE_CHUNK) % 8 === 7) await tf.nextFrame(); // let progress and cancel messages through
    }
    w.dispose();
    b.dispose();
    onProgress?.(f + 2, folds + 1, `fold ${f + 1} of ${folds}`);
  }
  return out;
}
