/**
 * Evaluation with the mirror image (issue 13): evalLoss's probabilities are the mean of the
 * image's and its mirror image's softmax, and its loss the cross-entropy of that mean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { evalLoss, mirror } from '../../src-main/engine/train/parallel/loss.js';
import { tf } from '../../src-main/engine/train/tf.js';

describe('evaluation averaged with the mirror image', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('mirrors NHWC images left to right', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    expect(Array.from(mirror(x).dataSync())).toEqual([3, 2, 1, 6, 5, 4]);
  });

  it('scores the mean of the two softmax vectors, and its cross-entropy as the loss', () => {
    const input = tf.input({ shape: [4, 4, 3] });
    const flat = tf.layers.flatten().apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 5, kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) }).apply(flat) as tf.SymbolicTensor });
    const xs = tf.randomNormal([6, 4, 4, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const ys = tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32');
    const plain = evalLoss(model, xs, ys, 5);
    const averaged = evalLoss(model, xs, ys, 5, true);
    const p = tf.softmax(model.predict(xs) as tf.Tensor2D).arraySync() as number[][];
    const q = tf.softmax(model.predict(tf.reverse(xs, 2)) as tf.Tensor2D).arraySync() as number[][];
    const mean = p.map((row, i) => row.map((v, j) => (v + q[i]![j]!) / 2));
    // the averaged "logits" are the log of the mean probabilities: softmax gives the mean back
    const back = tf.softmax(averaged.logits).arraySync() as number[][];
    back.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(mean[i]![j]!, 5)));
    const labels = ys.arraySync() as number[];
    const expected = -labels.reduce((s, y, i) => s + Math.log(mean[i]![y]!), 0) / labels.length;
    expect(averaged.loss.dataSync()[0]).toBeCloseTo(expected, 5);
    // a model that is not mirror-symmetric scores differently with the average
    expect(Math.abs(averaged.loss.dataSync()[0]! - plain.loss.dataSync()[0]!)).toBeGreaterThan(1e-4);
  });
});
