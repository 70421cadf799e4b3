/**
 * A gradient worker thread of data-parallel training: its own TensorFlow.js backend and a
 * replica of the model. Each step it takes the trainer's current weights from shared memory
 * (when they changed), computes the loss and gradients on its rows of the batch, and writes
 * them, already multiplied by its share of the batch, into its own region of shared memory,
 * with its BatchNorm moving statistics (same weighting), so that the trainer only has to sum.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, tf, type BackendName } from '../tf.js';
import { copyValues, layoutOf, readWeights, sameLayout, variablesOf, writeWeights, type Layout } from './layout.js';
import { evalLoss, stepLoss, topKHits } from './loss.js';

export interface GradientWorkerData {
  entry: string;
  backend: BackendName;
  topology: object;
  layout: Layout;
  /** all weights, written by the trainer */
  weights: SharedArrayBuffer;
  /** rows of the batch, [rows, size, size, 3] */
  input: SharedArrayBuffer;
  /** this worker's region: trainable gradients then the other weights, times its share */
  out: SharedArrayBuffer;
}

export interface StepRequest {
  /** a training step (gradients), or an evaluation pass (loss and hits only, inference mode) */
  kind: 'step' | 'eval';
  version: number;
  /** first row and row count of this worker's part */
  row: number;
  rows: number;
  labels: Int32Array;
  share: number;
  classes: number;
  smoothing: number;
  k: number;
  /** eval: average each image's probabilities with its mirror image's */
  flipAverage?: boolean;
}

export type WorkerReply = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'step'; loss: number; top1: number; top5: number } | { type: 'error'; message: string };

const data = workerData as GradientWorkerData;
const port = parentPort!;

async function main(): Promise<void> {
  await initBackend(data.backend);
  const model = await tf.models.modelFromJSON({ modelTopology: data.topology } as tf.io.ModelJSON as never);
  const layout = data.layout;
  if (!sameLayout(layoutOf(model), layout)) throw new Error('the worker rebuilt the model with a different set of weights');
  const weights = new Float32Array(data.weights);
  const input = new Float32Array(data.input);
  const out = new Float32Array(data.out);
  const imageSize = model.inputs[0]!.shape[1] as number;
  const pixels = imageSize * imageSize * 3;
  const trainable = variablesOf(model).slice(0, layout.trainable).map((v) => v.read() as tf.Variable);
  let version = -1;

  const evaluate = async (m: StepRequest): Promise<WorkerReply> => {
    const { loss, logits } = tf.tidy(() => {
      const xs = tf.tensor4d(input.subarray(m.row * pixels, (m.row + m.rows) * pixels), [m.rows, imageSize, imageSize, 3]);
      return evalLoss(model, xs, tf.tensor1d(m.labels, 'int32'), m.classes, m.flipAverage);
    });
    try {
      return { type: 'step', loss: (await loss.data())[0]!, ...(await topKHits(logits, m.labels, m.k)) };
    } finally {
      tf.dispose([loss, logits]);
    }
  };

  const step = async (m: StepRequest): Promise<WorkerReply> => {
    if (m.version !== version) {
      writeWeights(model, layout, weights, 0, layout.shapes.length);
      version = m.version;
    }
    if (m.kind === 'eval') return evaluate(m);
    const { value, grads, logits } = tf.tidy(() => {
      const xs = tf.tensor4d(input.subarray(m.row * pixels, (m.row + m.rows) * pixels), [m.rows, imageSize, imageSize, 3]);
      const ys = tf.tensor1d(m.labels, 'int32');
      let logits: tf.Tensor2D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const r = stepLoss(model, xs, ys, m.classes, m.smoothing);
        logits = tf.keep(r.logits);
        return r.loss;
      }, trainable);
      return { value, grads: trainable.map((v) => tf.mul(grads[v.name]!, m.share)), logits: logits! };
    });
    try {
      for (const [i, g] of grads.entries()) await copyValues(g, out, layout.offsets[i]!);
      // the moving statistics this part's forward pass left: the trainer averages them by share
      await readWeights(model, layout, out, layout.trainable, layout.shapes.length);
      for (let i = layout.trainableSize; i < layout.size; i++) out[i]! *= m.share;
      const loss = (await value.data())[0]!;
      return { type: 'step', loss, ...(await topKHits(logits, m.labels, m.k)) };
    } finally {
      tf.dispose([value, logits, ...grads]);
    }
  };

  port.on('message', (m: StepRequest) => {
    step(m).then(
      (reply) => port.postMessage(reply),
      (err: Error) => port.postMessage({ type: 'error', message: err.message } satisfies WorkerReply),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

main().catch((err: Error) => port.postMessage({ type: 'failed', message: err.message } satisfies WorkerReply));
