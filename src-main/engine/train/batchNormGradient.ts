/**
 * The gradient of FusedBatchNorm without tfjs-core's `tile`: the core version tiles the
 * per-channel factor up to the whole activation before multiplying, which made Tile the
 * largest cost of a MobileNetV2 training step on WASM (1.6 s of a batch). Broadcasting gives
 * the same values; per-channel factors are computed on C numbers, and the shared reduction
 * is done once. Registered for every backend: the math is the same.
 */
// tf.ts is the one TensorFlow.js importer; it imports this module to register the kernels, and tf is only used inside functions, so the cycle is harmless
import { tf } from './tf.js';

export function registerBatchNormGradient(): void {
  tf.registerGradient({
    kernelName: 'FusedBatchNorm',
    inputsToSave: ['x', 'mean', 'variance', 'scale'],
    gradFunc: (dy, saved, attrs) => {
      const g = dy as tf.Tensor;
      const [x, mean, variance, scale] = saved as tf.Tensor[];
      const epsilon = (attrs as { varianceEpsilon: number }).varianceEpsilon;
      const perChannel = mean!.rank === 1 && x!.rank > 1;
      const axes = perChannel ? Array.from({ length: x!.rank - 1 }, (_, i) => i) : [];
      const reduce = (t: tf.Tensor): tf.Tensor => (axes.length ? tf.sum(t, axes) : t);
      const scaleValue = scale ?? tf.scalar(1);
      const inverseStd = tf.rsqrt(tf.add(variance!, tf.scalar(epsilon)));
      // each gradient runs in its own scope, so nothing computed here can be shared between them
      const dyCentred = (): tf.Tensor => reduce(tf.mul(g, tf.sub(x!, mean!)));
      return {
        x: () => tf.mul(g, tf.mul(scaleValue, inverseStd)),
        mean: () => tf.reshape(tf.mul(reduce(g), tf.mul(tf.neg(inverseStd), scaleValue)), mean!.shape),
        variance: () => tf.reshape(tf.mul(dyCentred(), tf.mul(tf.mul(tf.pow(inverseStd, tf.scalar(3)), tf.scalar(-0.5)), scaleValue)), mean!.shape),
        scale: () => tf.reshape(tf.mul(dyCentred(), inverseStd), mean!.shape),
        offset: () => tf.reshape(reduce(g), mean!.shape),
      };
    },
  });
}
