/**
 * One loaded model answering batches of files with softmax probabilities over all of its
 * categories. Runs inside a predictor worker thread (one backend instance per thread): the
 * engine never holds TensorFlow.js itself.
 */
import { centralCrop, decodeForClassification } from '../images/classifyInput.js';
import { loadModel } from '../train/modelIO.js';
import { initBackend, tf, type BackendInfo, type BackendName } from '../train/tf.js';
import { readModelFolder, type ModelFolder } from './modelFolder.js';

export interface InputFile {
  file: string;
  /** known format (dataset items), or null to find it from the content */
  format: string | null;
}

export type Scored = { probs: Float32Array; ms: number } | { error: string; ms: number };

export class LoadedModel {
  private constructor(
    readonly folder: ModelFolder,
    readonly backend: BackendInfo,
    private readonly model: tf.LayersModel,
  ) {}

  static async load(dir: string, backend?: BackendName): Promise<LoadedModel> {
    const info = await initBackend(backend);
    const folder = readModelFolder(dir);
    const model = await loadModel(dir);
    const out = model.outputs[0]!.shape;
    if (out[out.length - 1] !== folder.labels.length) throw new Error(`the model in ${dir} has ${out[out.length - 1]} outputs but labels.json names ${folder.labels.length} categories`);
    const loaded = new LoadedModel(folder, info, model);
    loaded.warmUp();
    return loaded;
  }

  get classes(): number {
    return this.folder.labels.length;
  }

  /** The first call compiles kernels: pay it at load time, not on the user's first file. */
  private warmUp(): void {
    const size = this.folder.preprocessing.imageSize;
    tf.tidy(() => (this.model.predict(tf.zeros([1, size, size, 3])) as tf.Tensor).dataSync());
  }

  /** Decodes every file (in parallel, on libuv's pool) and runs the decodable ones as one batch. */
  async predict(files: readonly InputFile[]): Promise<Scored[]> {
    const { imageSize: size, evalCrop } = this.folder.preprocessing;
    const crop = centralCrop(evalCrop);
    const started = performance.now();
    const decoded = await Promise.all(
      files.map((f) => decodeForClassification(f.file, f.format, size, crop).then((rgb) => ({ rgb }), (err: Error) => ({ error: err.message }))),
    );
    const ok = decoded.flatMap((d, i) => ('rgb' in d ? [i] : []));
    const pixels = size * size * 3;
    let probs: Float32Array = new Float32Array(0);
    if (ok.length > 0) {
      const xs = new Float32Array(ok.length * pixels);
      ok.forEach((i, b) => {
        const rgb = (decoded[i] as { rgb: Uint8Array }).rgb;
        const base = b * pixels;
        for (let p = 0; p < pixels; p++) xs[base + p] = rgb[p]! / 127.5 - 1;
      });
      probs = tf.tidy(() => {
        const out = this.model.predict(tf.tensor4d(xs, [ok.length, size, size, 3])) as tf.Tensor | tf.Tensor[];
        const logits = (Array.isArray(out) ? out[0]! : out) as tf.Tensor2D;
        // the saved model ends in logits: softmax over every category, so the vector sums to 1
        return tf.softmax(logits).dataSync() as Float32Array;
      });
    }
    const ms = (performance.now() - started) / Math.max(1, files.length);
    const classes = this.classes;
    const rows = new Map(ok.map((i, b) => [i, probs.slice(b * classes, (b + 1) * classes)]));
    return decoded.map((d, i) => ('error' in d ? { error: d.error, ms } : { probs: rows.get(i)!, ms }));
  }
}
