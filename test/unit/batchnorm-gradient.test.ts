import { describe, expect, it } from 'vitest';
import { registerBatchNormGradient } from '../../src-main/engine/train/batchNormGradient.js';
import { tf } from '../../src-main/engine/train/tf.js';

describe('FusedBatchNorm gradient without tile', () => {
  it('matches the gradient of the same formula written with elementary ops', async () => {
    await tf.setBackend('cpu');
    registerBatchNormGradient();
    const x = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 1);
    const mean = tf.randomNormal([6], 0, 1, 'float32', 2);
    const variance = tf.abs(tf.randomNormal([6], 1, 0.3, 'float32', 3));
    const scale = tf.randomNormal([6], 1, 0.2, 'float32', 4);
    const offset = tf.randomNormal([6], 0, 1, 'float32', 5);
    const weights = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 6);
    const eps = 1e-3;
    const ours = tf.grads((a, m, v, s, o) => tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, eps), weights)))([x, mean, variance, scale, offset]);
    const reference = tf.grads((a, m, v, s, o) =>
      tf.sum(tf.mul(tf.add(tf.mul(tf.mul(tf.sub(a, m), tf.rsqrt(tf.add(v, eps))), s), o), weights)),
    )([x, mean, variance, scale, offset]);
    ours.forEach((g, i) => {
      expect(g.shape).toEqual(reference[i]!.shape);
      const diff = tf.max(tf.abs(tf.sub(g, reference[i]!))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-4);
    });
  });
});
