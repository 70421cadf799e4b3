/**
 * One loaded model answering batches of files with softmax probabilities over all of its
 * categories. Runs inside a predictor worker thread (one backend instance per thread): the
 * engine never holds TensorFlow.js itself.
 */
import { centralCrop, decodeForClassification } from '../images/classifyInput.js';
import { loadModel } from '../train/modelIO.js';
import { initBackend, tf, type BackendInfo, type BackendName } from '../train/tf.js';
import { readModelFolder, type ModelFolder } from './modelFolder.js';
import { rng } from '../../shared/random.js';

/** A seeded Gaussian projection matrix [from, to], scaled by 1/sqrt(to): distances are kept in expectation. */
function projection(from: number, to: number): tf.Tensor2D {
  const random = rng(0x5eed);
  const values = new Float32Array(from * to);
  for (let i = 0; i < values.length; i += 2) {
    // Box-Muller: two normal values from two uniform ones
    const r = Math.sqrt(-2 * Math.log(1 - random()));
    const t = 2 * Math.PI * random();
    values[i] = (r * Math.cos(t)) / Math.sqrt(to);
    if (i + 1 < values.length) values[i + 1] = (r * Math.sin(t)) / Math.sqrt(to);
  }
  return tf.tensor2d(values, [from, to]);
}

export interface InputFile {
  file: string;
  /** known format (dataset items), or null to find it from the content */
  format: string | null;
}

/** probs: softmax over every category; embedding (when asked): the penultimate layer, at most EMBEDDING_DIM wide */
export type Scored = { probs: Float32Array; embedding?: Float32Array; ms: number } | { error: string; ms: number };

/** Embeddings wider than this are projected down (seeded Gaussian projection, Johnson-Lindenstrauss). */
export const EMBEDDING_DIM = 256;

export class LoadedModel {
  /** the same network with two outputs: the features the classifier head reads, and the logits */
  private readonly twoHeaded: tf.LayersModel;
  private readonly project: tf.Tensor2D | null;

  private constructor(
    readonly folder: ModelFolder,
    readonly backend: BackendInfo,
    private readonly model: tf.LayersModel,
  ) {
    const logits = model.outputs[0]!;
    const features = logits.sourceLayer.input as tf.SymbolicTensor;
    this.twoHeaded = tf.model({ inputs: model.inputs, outputs: [features, logits] });
    const width = features.shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
    this.project = width > EMBEDDING_DIM ? projection(width, EMBEDDING_DIM) : null;
  }

  static async load(dir: string, backend?: BackendName): Promise<LoadedModel> {
    const info = await initBackend(backend);
    const folder = readModelFolder(dir);
    const model = await loadModel(dir);
    const out = model.outputs[0]!.shape;
    if (out[out.length - 1] !== folder.labels.length) throw new Error(`the model in ${dir} has ${out[out.length - 1]} outputs but labels.json names ${folder.labels.length} categories`);
    const loaded = new LoadedModel(folder, info, model);
    await loaded.warmUp();
    return loaded;
  }

  get classes(): number {
    return this.folder.labels.length;
  }

  /** The first call compiles kernels: pay it at load time, not on the user's first file. Reads are async throughout: WebGPU has no synchronous read in Node. */
  private async warmUp(): Promise<void> {
    const size = this.folder.preprocessing.imageSize;
    const out = tf.tidy(() => this.model.predict(tf.zeros([1, size, size, 3])) as tf.Tensor);
    await out.data();
    out.dispose();
  }

  /** Decodes every file (in parallel, on libuv's pool) and runs the decodable ones as one batch. */
  async predict(files: readonly InputFile[], embed = false): Promise<Scored[]> {
    const { imageSize: size, evalCrop } = this.folder.preprocessing;
    const crop = centralCrop(evalCrop);
    const started = performance.now();
    const decoded = await Promise.all(
      files.map((f) => decodeForClassification(f.file, f.format, size, crop).then((rgb) => ({ rgb }), (err: Error) => ({ error: err.message }))),
    );
    const ok = decoded.flatMap((d, i) => ('rgb' in d ? [i] : []));
    const pixels = size * size * 3;
    let probs: Float32Array = new Float32Array(0);
    let features: Float32Array = new Float32Array(0);
    let width = 0;
    if (ok.length > 0) {
      const xs = new Float32Array(ok.length * pixels);
      ok.forEach((i, b) => {
        const rgb = (decoded[i] as { rgb: Uint8Array }).rgb;
        const base = b * pixels;
        for (let p = 0; p < pixels; p++) xs[base + p] = rgb[p]! / 127.5 - 1;
      });
      const input = (): tf.Tensor4D => tf.tensor4d(xs, [ok.length, size, size, 3]);
      if (embed) {
        const [flat, soft] = tf.tidy(() => {
          const [f, logits] = this.twoHeaded.predict(input()) as tf.Tensor[];
          let flat = f!.reshape([ok.length, -1]) as tf.Tensor2D;
          if (this.project) flat = tf.matMul(flat, this.project);
          return [flat, tf.softmax(logits as tf.Tensor2D)] as const;
        });
        [features, probs] = (await Promise.all([flat.data(), soft.data()])) as [Float32Array, Float32Array];
        width = flat.shape[1]!;
        tf.dispose([flat, soft]);
      } else {
        const soft = tf.tidy(() => {
          const out = this.model.predict(input()) as tf.Tensor | tf.Tensor[];
          const logits = (Array.isArray(out) ? out[0]! : out) as tf.Tensor2D;
          // the saved model ends in logits: softmax over every category, so the vector sums to 1
          return tf.softmax(logits);
        });
        probs = (await soft.data()) as Float32Array;
        soft.dispose();
      }
    }
    const ms = (performance.now() - started) / Math.max(1, files.length);
    const classes = this.classes;
    const rows = new Map(ok.map((i, b) => [i, b]));
    return decoded.map((d, i) => {
      if ('error' in d) return { error: d.error, ms };
      const b = rows.get(i)!;
      const scored: Scored = { probs: probs.slice(b * classes, (b + 1) * classes), ms };
      if (embed) scored.embedding = features.slice(b * width, (b + 1) * width);
      return scored;
    });
  }
}
