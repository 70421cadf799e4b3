/**
 * The training loss and top-k hits as the trainer computes them (softmax cross-entropy with
 * label smoothing; Inception's auxiliary head adds 0.4 of its own loss), for the gradient
 * workers, which must compute exactly what one thread would.
 */
import { tf } from '../tf.js';

export function stepLoss(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor1D, classes: number, smoothing: number): { loss: tf.Scalar; logits: tf.Tensor2D } {
  const out = model.apply(xs, { training: true }) as tf.Tensor | tf.Tensor[];
  const outs = (Array.isArray(out) ? out : [out]) as tf.Tensor2D[];
  const onehot = tf.oneHot(ys, classes);
  const loss = outs.map((o, i) => tf.mul(tf.losses.softmaxCrossEntropy(onehot, o, undefined, smoothing), i === 0 ? 1 : 0.4)).reduce((a, b) => tf.add(a, b)) as tf.Scalar;
  return { loss, logits: outs[0]! };
}

/**
 * The validation loss: the first output in inference mode, no label smoothing. With
 * `flipAverage`, of the mean of the image's and its mirror image's probabilities (the logits
 * returned are then that mean's logarithm, which ranks the categories the same way).
 */
export function evalLoss(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor1D, classes: number, flipAverage = false): { loss: tf.Scalar; logits: tf.Tensor2D } {
  const predict = (x: tf.Tensor): tf.Tensor2D => {
    const out = model.apply(x, { training: false }) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out[0] : out) as tf.Tensor2D;
  };
  const logits = flipAverage ? tf.log(meanOfMirrored(predict(xs), predict(mirror(xs as tf.Tensor4D)))) : predict(xs);
  return { loss: tf.losses.softmaxCrossEntropy(tf.oneHot(ys, classes), logits) as tf.Scalar, logits };
}

/** A batch of NHWC images, each mirrored left to right. */
export const mirror = (xs: tf.Tensor4D): tf.Tensor4D => tf.reverse(xs, 2);

/** The mean of two batches' softmax probabilities. */
export const meanOfMirrored = (logits: tf.Tensor2D, mirroredLogits: tf.Tensor2D): tf.Tensor2D => tf.mul(tf.add(tf.softmax(logits), tf.softmax(mirroredLogits)), 0.5);

/** How many rows have their label first, and among the top k; async reads, as the trainer's. */
export async function topKHits(logits: tf.Tensor2D, labels: Int32Array, k: number): Promise<{ top1: number; top5: number }> {
  const top = tf.tidy(() => tf.topk(logits, k).indices);
  try {
    const indices = (await top.array()) as number[][];
    let top1 = 0;
    let top5 = 0;
    indices.forEach((row, i) => {
      if (row[0] === labels[i]) top1++;
      if (row.includes(labels[i]!)) top5++;
    });
    return { top1, top5 };
  } finally {
    top.dispose();
  }
}
