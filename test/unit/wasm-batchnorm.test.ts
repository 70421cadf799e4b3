/**
 * Batch normalization in training on WASM (wasmBatchNorm.ts: two kernels over the backend's
 * memory) against tfjs-layers' own composition on the CPU backend: the output, the gradients
 * of x, scale and offset, and the moving mean and variance the call leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src-main/engine/train/tf.js';
import { registerWasmGradientKernels } from '../../src-main/engine/train/wasmKernels.js';
import { relativeError } from '../fixtures/relativeError.js';

let seed = 7;
const random = (n: number, spread = 1, centre = 0): Float32Array => Float32Array.from({ length: n }, () => centre + (((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1) * spread);

interface Outcome {
  y: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

async function trainStep(backend: string, shape: number[], xs: Float32Array, gamma: Float32Array, beta: Float32Array, projection: Float32Array): Promise<Outcome> {
  await tf.setBackend(backend);
  const channels = shape[shape.length - 1]!;
  const layer = tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-3, gammaInitializer: 'ones' });
  layer.build(shape);
  layer.setWeights([tf.tensor1d(gamma), tf.tensor1d(beta), tf.tensor1d(random(channels, 0.5)), tf.tensor1d(random(channels, 0.5, 1.5))]);
  const before = tf.memory().numTensors;
  const out = tf.tidy(() => {
    const x = tf.tensor(xs, shape);
    const loss = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(layer.apply(input, { training: true }) as tf.Tensor, tf.tensor(projection, shape)));
    const y = (layer.apply(x, { training: true }) as tf.Tensor).dataSync().slice() as Float32Array;
    // gradients with respect to the input and to the layer's own weights
    const { grads } = tf.variableGrads(() => loss(x), layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    const dx = tf.grad((input: tf.Tensor) => loss(input))(x).dataSync().slice() as Float32Array;
    const [dGamma, dBeta] = layer.trainableWeights.map((w) => grads[(w as unknown as { val: tf.Variable }).val.name]!.dataSync().slice() as Float32Array);
    return { y, dx, dGamma: dGamma!, dBeta: dBeta! };
  });
  const [movingMean, movingVariance] = layer.getWeights().slice(2).map((w) => w.dataSync().slice() as Float32Array);
  // only the layer's own four weights (and the tensors setWeights copied) remain
  expect(tf.memory().numTensors).toBe(before);
  for (const w of layer.weights) w.dispose();
  return { ...out, movingMean: movingMean!, movingVariance: movingVariance! };
}

describe('batch normalization in training on WASM', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmGradientKernels();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const shapes = [
    [4, 6, 5, 3],
    [2, 9, 9, 16],
    [12, 7],
  ];
  for (const shape of shapes) {
    it(`matches tfjs-layers on the CPU backend for ${JSON.stringify(shape)}`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const channels = shape[shape.length - 1]!;
      // an offset and a spread per channel, as activations have
      const xs = random(n, 3, 0.7);
      const gamma = random(channels, 0.5, 1);
      const beta = random(channels, 0.5);
      const projection = random(n);
      const savedSeed = seed;
      const cpu = await trainStep('cpu', shape, xs, gamma, beta, projection);
      seed = savedSeed;
      const wasm = await trainStep('wasm', shape, xs, gamma, beta, projection);
      for (const key of Object.keys(cpu) as (keyof Outcome)[]) {
        const error = relativeError(wasm[key], cpu[key]);
        expect(error, key).toBeLessThan(1e-5);
      }
    });
  }

  it('takes the fast path on WASM (the kernel runs in the step)', async () => {
    await tf.setBackend('wasm');
    const layer = tf.layers.batchNormalization({});
    const x = tf.randomNormal([2, 4, 4, 3]);
    const profile = await tf.profile(() => tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(layer.apply(input, { training: true }) as tf.Tensor))(x)));
    const kernels = profile.kernels.map((k) => k.name);
    expect(kernels).toContain('ShiwakeBatchNormTraining');
    expect(kernels).toContain('ShiwakeBatchNormTrainingGrad');
    expect(kernels).not.toContain('FusedBatchNorm');
    x.dispose();
    for (const w of layer.weights) w.dispose();
  });
});
