/**
 * Gradient accumulation (issue 13): k steps of batch b through the accumulating optimizer
 * leave the same weights as one step of batch k x b at the rate scaled by k, for a model
 * without batch normalization; nothing moves before the k-th batch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { accumulating } from '../../src-main/engine/train/accumulate.js';
import { makeOptimizer, resolveTrainOptions } from '../../src-main/engine/train/schedule.js';
import { initBackend, tf } from '../../src-main/engine/train/tf.js';

// float32 sums in another order differ in the last bits; the largest weight difference allowed
const TOLERANCE = 1e-5;
const K = 4;
const B = 3;
const CLASSES = 5;

let seed = 7;
const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);

function model(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 8, activation: 'relu' }));
  m.add(tf.layers.dense({ units: CLASSES }));
  return m;
}

function step(m: tf.LayersModel, optimizer: tf.Optimizer, xs: Float32Array, labels: Int32Array): void {
  tf.tidy(() => {
    const x = tf.tensor4d(xs, [labels.length, 6, 6, 2]);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
  });
}

const maxDifference = (a: tf.LayersModel, b: tf.LayersModel): number =>
  Math.max(...a.getWeights().map((w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, b.getWeights()[i]!))).dataSync()[0]!)));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('gradient accumulation', () => {
  for (const optimizer of ['sgd', 'adam', 'rmsprop'] as const) {
    it(`${K} steps of batch ${B} equal one step of batch ${K * B} with ${optimizer}, the rate scaled by ${K}`, () => {
      const lr = 0.05;
      const options = resolveTrainOptions({ model: 'small-cnn', optimizer, learningRate: lr }, 32);
      const a = model();
      const b = model();
      b.setWeights(a.getWeights());
      const start = a.getWeights().map((w) => w.clone());
      const xs = random(K * B * 6 * 6 * 2);
      const labels = Int32Array.from({ length: K * B }, (_, i) => (i * 3) % CLASSES);

      const acc = accumulating(makeOptimizer(options), K);
      acc.learningRate = lr;
      expect(acc.learningRate).toBeCloseTo(lr * K, 12);
      for (let i = 0; i < K; i++) {
        step(a, acc.optimizer, xs.subarray(i * B * 72, (i + 1) * B * 72), labels.subarray(i * B, (i + 1) * B));
        if (i < K - 1) {
          expect(acc.pending).toBe(i + 1);
          // nothing applied before the k-th batch
          expect(Math.max(...a.getWeights().map((w, j) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, start[j]!))).dataSync()[0]!)))).toBe(0);
        }
      }
      expect(acc.pending).toBe(0);

      const whole = makeOptimizer(options);
      whole.learningRate = lr * K;
      step(b, whole.optimizer, xs, labels);
      const moved = Math.max(...a.getWeights().map((w, j) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, start[j]!))).dataSync()[0]!)));
      expect(moved).toBeGreaterThan(1e-3); // a real step was taken
      expect(maxDifference(a, b)).toBeLessThan(TOLERANCE);
      tf.dispose(start);
    });
  }

  it('leaves no tensors behind across steps, and refuses a k that is not a whole number from 1', () => {
    const options = resolveTrainOptions({ model: 'small-cnn', optimizer: 'sgd', learningRate: 0.01 }, 32);
    const m = model();
    const acc = accumulating(makeOptimizer(options), 2);
    acc.learningRate = 0.01;
    const xs = random(B * 72);
    const labels = Int32Array.from({ length: B }, (_, i) => i % CLASSES);
    step(m, acc.optimizer, xs, labels);
    step(m, acc.optimizer, xs, labels);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 4; i++) step(m, acc.optimizer, xs, labels);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => accumulating(makeOptimizer(options), 0)).toThrow(/whole number of batches from 1/);
    expect(accumulating(makeOptimizer(options), 1).pending).toBe(0);
  });
});
