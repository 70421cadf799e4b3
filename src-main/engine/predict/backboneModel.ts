/**
 * A pretrained backbone in a predictor worker: any TF.js layers model (a folder or an http(s)
 * URL of model.json) cut before its classifier (backboneFeatures, as transfer learning cuts
 * it), answering with embeddings only. Inputs are prepared as for our own models: central crop
 * 0.875, resize, values in [-1, 1].
 */
import { backboneFeatures } from '../train/models.js';
import { loadModel } from '../train/modelIO.js';
import { initBackend, tf, type BackendInfo, type BackendName } from '../train/tf.js';
import { BatchModel } from './inference.js';

/** The central crop of our own models' evaluation: a backbone gets the same. */
const BACKBONE_CROP = 0.875;

/** The side of the square images the backbone takes: its fixed input shape, else the one given. */
export function backboneInputSize(model: tf.LayersModel, location: string, imageSize: number | undefined): number {
  const shape = model.inputs[0]!.shape;
  if (shape.length !== 4) throw new Error(`the backbone at ${location} does not take images (its input has shape [${shape.join(', ')}], not [batch, height, width, 3])`);
  const [, h, w, c] = shape;
  if (c !== null && c !== 3) throw new Error(`the backbone at ${location} takes ${c} channels per pixel; Shiwake feeds RGB (3)`);
  if (typeof h === 'number' && typeof w === 'number') {
    if (h !== w) throw new Error(`the backbone at ${location} takes ${h} x ${w} images; Shiwake feeds square ones`);
    if (imageSize !== undefined && imageSize !== h) throw new Error(`the backbone at ${location} takes ${h} x ${h} images: --image-size ${imageSize} does not fit (leave it out)`);
    return h;
  }
  if (imageSize === undefined) throw new Error(`the backbone at ${location} has no fixed input size: give one with --image-size S`);
  return imageSize;
}

export class BackboneModel extends BatchModel {
  private constructor(
    backend: BackendInfo,
    imageSize: number,
    private readonly features: tf.LayersModel,
  ) {
    super(backend, imageSize, BACKBONE_CROP, features.outputs[0]!.shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1));
  }

  static async load(location: string, imageSize: number | undefined, backend?: BackendName): Promise<BackboneModel> {
    const info = await initBackend(backend);
    let model: tf.LayersModel;
    try {
      model = await loadModel(location);
    } catch (err) {
      throw new Error(`cannot load a TensorFlow.js layers model from ${location}: ${(err as Error).message.split('\n')[0]}`);
    }
    const size = backboneInputSize(model, location, imageSize);
    const { features } = backboneFeatures(model);
    const loaded = new BackboneModel(info, size, tf.model({ inputs: model.inputs, outputs: features }));
    await loaded.warmUp();
    return loaded;
  }

  get classes(): number {
    return 0;
  }

  protected async run(input: tf.Tensor4D): Promise<{ probs: Float32Array; features: Float32Array; width: number }> {
    // a backbone has no classifier of ours: every call embeds, whatever was asked
    const flat = tf.tidy(() => this.embedding(this.features.predict(input) as tf.Tensor, input.shape[0]));
    const features = (await flat.data()) as Float32Array;
    const width = flat.shape[1]!;
    flat.dispose();
    return { probs: new Float32Array(0), features, width };
  }
}
