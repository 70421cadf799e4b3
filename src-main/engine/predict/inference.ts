/**
 * One loaded model answering batches of files with softmax probabilities over all of its
 * categories (a trained run) or with embeddings only (a pretrained backbone, backboneModel.ts).
 * Runs inside a predictor worker thread (one backend instance per thread): the engine never
 * holds TensorFlow.js itself.
 */
import { decodeForClassification } from '../images/classifyInput.js';
import { centralCrop } from '../images/modelInput.js';
import { loadModel } from '../train/modelIO.js';
import { meanOfMirrored, mirror } from '../train/parallel/loss.js';
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

/** What the predictor's models share: files decoded into one batch in [-1, 1], and wide features projected down. */
export abstract class BatchModel {
  private readonly project: tf.Tensor2D | null;

  protected constructor(
    readonly backend: BackendInfo,
    readonly imageSize: number,
    private readonly evalCrop: number,
    /** the width of the features the model embeds with */
    featureWidth: number,
  ) {
    this.project = featureWidth > EMBEDDING_DIM ? projection(featureWidth, EMBEDDING_DIM) : null;
  }

  /** outputs per image (0: a backbone, which embeds only) */
  abstract get classes(): number;

  /** One batch through the network: probabilities [n, classes] and, when embedding, features [n, width]. */
  protected abstract run(input: tf.Tensor4D, embed: boolean): Promise<{ probs: Float32Array; features: Float32Array; width: number }>;

  /** Features as [n, at most EMBEDDING_DIM]: flattened, then projected when wider (call inside tf.tidy). */
  protected embedding(features: tf.Tensor, n: number): tf.Tensor2D {
    const flat = features.reshape([n, -1]) as tf.Tensor2D;
    return this.project ? tf.matMul(flat, this.project) : flat;
  }

  /** The first call compiles kernels: pay it at load time, not on the user's first file. Reads are async throughout: WebGPU has no synchronous read in Node. */
  protected async warmUp(): Promise<void> {
    const input = tf.zeros([1, this.imageSize, this.imageSize, 3]) as tf.Tensor4D;
    await this.run(input, true);
    input.dispose();
  }

  /** Decodes every file (in parallel, on libuv's pool) and runs the decodable ones as one batch. */
  async predict(files: readonly InputFile[], embed = false): Promise<Scored[]> {
    const size = this.imageSize;
    const crop = centralCrop(this.evalCrop);
    const started = performance.now();
    const decoded = await Promise.all(
      files.map((f) => decodeForClassification(f.file, f.format, size, crop).then((rgb) => ({ rgb }), (err: Error) => ({ error: err.message }))),
    );
    const ok = decoded.flatMap((d, i) => ('rgb' in d ? [i] : []));
    const pixels = size * size * 3;
    let out: { probs: Float32Array; features: Float32Array; width: number } = { probs: new Float32Array(0), features: new Float32Array(0), width: 0 };
    if (ok.length > 0) {
      const xs = new Float32Array(ok.length * pixels);
      ok.forEach((i, b) => {
        const rgb = (decoded[i] as { rgb: Uint8Array }).rgb;
        const base = b * pixels;
        for (let p = 0; p < pixels; p++) xs[base + p] = rgb[p]! / 127.5 - 1;
      });
      const input = tf.tensor4d(xs, [ok.length, size, size, 3]);
      try {
        out = await this.run(input, embed);
      } finally {
        input.dispose();
      }
    }
    const ms = (performance.now() - started) / Math.max(1, files.length);
    const { probs, features, width } = out;
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

/** A trained run's model: softmax over every category, and the penultimate layer when embedding. */
export class LoadedModel extends BatchModel {
  /** the same network with two outputs: the features the classifier head reads, and the logits */
  private readonly twoHeaded: tf.LayersModel;

  private constructor(
    readonly folder: ModelFolder,
    backend: BackendInfo,
    private readonly model: tf.LayersModel,
    features: tf.SymbolicTensor,
  ) {
    super(backend, folder.preprocessing.imageSize, folder.preprocessing.evalCrop, features.shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1));
    this.twoHeaded = tf.model({ inputs: model.inputs, outputs: [features, model.outputs[0]!] });
  }

  static async load(dir: string, backend?: BackendName): Promise<LoadedModel> {
    const info = await initBackend(backend);
    const folder = readModelFolder(dir);
    const model = await loadModel(dir);
    const out = model.outputs[0]!.shape;
    if (out[out.length - 1] !== folder.labels.length) throw new Error(`the model in ${dir} has ${out[out.length - 1]} outputs but labels.json names ${folder.labels.length} categories`);
    const logits = model.outputs[0]!;
    const loaded = new LoadedModel(folder, info, model, logits.sourceLayer.input as tf.SymbolicTensor);
    await loaded.warmUp();
    return loaded;
  }

  get classes(): number {
    return this.folder.labels.length;
  }

  private logitsOf(x: tf.Tensor4D): tf.Tensor2D {
    const out = this.model.predict(x) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out[0]! : out) as tf.Tensor2D;
  }

  /** Softmax over every category (the saved model ends in logits), averaged with the mirror image's where the model was trained so (call inside tf.tidy). */
  private probabilities(logits: tf.Tensor2D, input: tf.Tensor4D): tf.Tensor2D {
    return this.folder.preprocessing.flipAverage ? meanOfMirrored(logits, this.logitsOf(mirror(input))) : tf.softmax(logits);
  }

  protected async run(input: tf.Tensor4D, embed: boolean): Promise<{ probs: Float32Array; features: Float32Array; width: number }> {
    const n = input.shape[0];
    if (embed) {
      const [flat, soft] = tf.tidy(() => {
        const [f, logits] = this.twoHeaded.predict(input) as tf.Tensor[];
        return [this.embedding(f!, n), this.probabilities(logits as tf.Tensor2D, input)] as const;
      });
      const [features, probs] = (await Promise.all([flat.data(), soft.data()])) as [Float32Array, Float32Array];
      const width = flat.shape[1]!;
      tf.dispose([flat, soft]);
      return { probs, features, width };
    }
    const soft = tf.tidy(() => this.probabilities(this.logitsOf(input), input));
    const probs = (await soft.data()) as Float32Array;
    soft.dispose();
    return { probs, features: new Float32Array(0), width: 0 };
  }
}
