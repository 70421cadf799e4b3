/**
 * The models Shiwake trains, in tfjs-layers: a small CNN for small images, MobileNetV2
 * (width multiplier and input size settable) and Inception-v3 as in the reference (input 299,
 * auxiliary head optional). All end in logits over the dataset's categories: no background
 * class inside Shiwake (exports keep the +1 convention).
 */
import { tf } from './tf.js';

export type ModelName = 'small-cnn' | 'mobilenet-v2' | 'inception-v3';
export const MODEL_NAMES: readonly ModelName[] = ['small-cnn', 'mobilenet-v2', 'inception-v3'];

export interface ModelOptions {
  classes: number;
  imageSize: number;
  /** MobileNetV2 width multiplier */
  alpha?: number;
  /** Inception-v3 auxiliary classifier (a second output, weighted 0.4 in the loss) */
  auxHead?: boolean;
  dropout?: number;
}

export { DEFAULT_IMAGE_SIZE } from '../../shared/training.js';

type SymbolicTensor = tf.SymbolicTensor;
const L = tf.layers;

export function buildModel(name: ModelName, options: ModelOptions): tf.LayersModel {
  switch (name) {
    case 'small-cnn':
      return smallCnn(options);
    case 'mobilenet-v2':
      return mobileNetV2(options);
    case 'inception-v3':
      return inceptionV3(options);
  }
}

/**
 * Two convolutions, as the Fashion-MNIST baselines: conv-pool-conv-pool-dense. The dense layer
 * has 256 units: on Fashion-MNIST (28 px, batch 64, Adam 3e-3, 3 epochs) 128 units gave 91.80%,
 * 256 gave 92.18% and 512 92.39% at 1.3x the time a step; 256 is the one that fits eight epochs
 * in ten minutes on two cores (docs/benchmarks.md).
 */
function smallCnn({ classes, imageSize, dropout = 0.3 }: ModelOptions): tf.LayersModel {
  const input = tf.input({ shape: [imageSize, imageSize, 3], name: 'image' });
  let x = L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }).apply(input) as SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as SymbolicTensor;
  x = L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }).apply(x) as SymbolicTensor;
  x = L.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as SymbolicTensor;
  x = L.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  x = L.dense({ units: 256, activation: 'relu', name: 'fc1' }).apply(x) as SymbolicTensor;
  x = L.dropout({ rate: dropout, name: 'dropout' }).apply(x) as SymbolicTensor;
  const logits = L.dense({ units: classes, name: 'logits' }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'small_cnn' });
}

const makeDivisible = (v: number, divisor = 8): number => {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
};

function convBnRelu6(x: SymbolicTensor, filters: number, kernel: number, stride: number, name: string): SymbolicTensor {
  let y = L.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, name: `${name}_conv` }).apply(x) as SymbolicTensor;
  y = L.batchNormalization({ momentum: 0.999, epsilon: 1e-3, name: `${name}_bn` }).apply(y) as SymbolicTensor;
  return L.reLU({ maxValue: 6, name: `${name}_relu6` }).apply(y) as SymbolicTensor;
}

function invertedResidual(x: SymbolicTensor, inChannels: number, outChannels: number, stride: number, expansion: number, name: string): SymbolicTensor {
  let y = x;
  if (expansion !== 1) y = convBnRelu6(y, inChannels * expansion, 1, 1, `${name}_expand`);
  y = L.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false, name: `${name}_dw` }).apply(y) as SymbolicTensor;
  y = L.batchNormalization({ momentum: 0.999, epsilon: 1e-3, name: `${name}_dw_bn` }).apply(y) as SymbolicTensor;
  y = L.reLU({ maxValue: 6, name: `${name}_dw_relu6` }).apply(y) as SymbolicTensor;
  y = L.conv2d({ filters: outChannels, kernelSize: 1, useBias: false, name: `${name}_project` }).apply(y) as SymbolicTensor;
  y = L.batchNormalization({ momentum: 0.999, epsilon: 1e-3, name: `${name}_project_bn` }).apply(y) as SymbolicTensor;
  if (stride === 1 && inChannels === outChannels) y = L.add({ name: `${name}_add` }).apply([x, y]) as SymbolicTensor;
  return y;
}

/** MobileNetV2 (Sandler et al. 2018), as in keras.applications. */
function mobileNetV2({ classes, imageSize, alpha = 1, dropout = 0.2 }: ModelOptions): tf.LayersModel {
  const input = tf.input({ shape: [imageSize, imageSize, 3], name: 'image' });
  let channels = makeDivisible(32 * alpha);
  let x = convBnRelu6(input, channels, 3, 2, 'stem');
  // expansion t, output channels c, repeats n, first stride s
  const blocks: [number, number, number, number][] = [
    [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
  ];
  let b = 0;
  for (const [t, c, n, s] of blocks) {
    const out = makeDivisible(c * alpha);
    for (let i = 0; i < n; i++) {
      x = invertedResidual(x, channels, out, i === 0 ? s : 1, t, `block${b++}`);
      channels = out;
    }
  }
  x = convBnRelu6(x, alpha > 1 ? makeDivisible(1280 * alpha) : 1280, 1, 1, 'head');
  x = L.globalAveragePooling2d({ name: 'pool' }).apply(x) as SymbolicTensor;
  x = L.dropout({ rate: dropout, name: 'dropout' }).apply(x) as SymbolicTensor;
  const logits = L.dense({ units: classes, name: 'logits' }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'mobilenet_v2' });
}

let inceptionLayer = 0;
function convBn(x: SymbolicTensor, filters: number, kh: number, kw: number, strides = 1, padding: 'same' | 'valid' = 'same'): SymbolicTensor {
  const name = `conv${inceptionLayer++}`;
  let y = L.conv2d({ filters, kernelSize: [kh, kw], strides, padding, useBias: false, name }).apply(x) as SymbolicTensor;
  // with a scale (gamma) although the reference has none (the ReLU after it makes one redundant):
  // tfjs-layers' training path reads gamma unconditionally and fails with scale: false, so
  // Inception-v3 could not take a training step (4.22: normalization.js, normalizeBatchInTraining)
  y = L.batchNormalization({ epsilon: 1e-3, name: `${name}_bn` }).apply(y) as SymbolicTensor;
  return L.activation({ activation: 'relu', name: `${name}_relu` }).apply(y) as SymbolicTensor;
}
const concat = (xs: SymbolicTensor[], name: string): SymbolicTensor => L.concatenate({ axis: -1, name }).apply(xs) as SymbolicTensor;
const avgPool3 = (x: SymbolicTensor): SymbolicTensor => L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same' }).apply(x) as SymbolicTensor;
const maxPool3s2 = (x: SymbolicTensor): SymbolicTensor => L.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as SymbolicTensor;

/** Inception-v3 (Szegedy et al. 2016), the layout of the reference recipe and keras.applications. */
function inceptionV3({ classes, imageSize, auxHead = false, dropout = 0.2 }: ModelOptions): tf.LayersModel {
  if (imageSize < 75) throw new Error(`Inception-v3 needs images of at least 75 pixels (got ${imageSize})`);
  inceptionLayer = 0;
  const input = tf.input({ shape: [imageSize, imageSize, 3], name: 'image' });
  let x = convBn(input, 32, 3, 3, 2, 'valid');
  x = convBn(x, 32, 3, 3, 1, 'valid');
  x = convBn(x, 64, 3, 3);
  x = maxPool3s2(x);
  x = convBn(x, 80, 1, 1, 1, 'valid');
  x = convBn(x, 192, 3, 3, 1, 'valid');
  x = maxPool3s2(x);
  for (const [i, pool] of [[0, 32], [1, 64], [2, 64]] as const) {
    const b1 = convBn(x, 64, 1, 1);
    const b5 = convBn(convBn(x, 48, 1, 1), 64, 5, 5);
    const b3 = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
    const bp = convBn(avgPool3(x), pool, 1, 1);
    x = concat([b1, b5, b3, bp], `mixed${i}`);
  }
  {
    const b3 = convBn(x, 384, 3, 3, 2, 'valid');
    const bd = convBn(convBn(convBn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, 2, 'valid');
    x = concat([b3, bd, maxPool3s2(x)], 'mixed3');
  }
  let aux: SymbolicTensor | undefined;
  for (const [i, c] of [[4, 128], [5, 160], [6, 160], [7, 192]] as const) {
    const b1 = convBn(x, 192, 1, 1);
    const b7 = convBn(convBn(convBn(x, c, 1, 1), c, 1, 7), 192, 7, 1);
    const bd = convBn(convBn(convBn(convBn(convBn(x, c, 1, 1), c, 7, 1), c, 1, 7), c, 7, 1), 192, 1, 7);
    const bp = convBn(avgPool3(x), 192, 1, 1);
    x = concat([b1, b7, bd, bp], `mixed${i}`);
  }
  if (auxHead) {
    let a = L.averagePooling2d({ poolSize: 5, strides: 3, name: 'aux_pool' }).apply(x) as SymbolicTensor;
    a = convBn(a, 128, 1, 1);
    a = convBn(a, 768, (a.shape[1] as number) ?? 5, (a.shape[2] as number) ?? 5, 1, 'valid');
    a = L.flatten({ name: 'aux_flatten' }).apply(a) as SymbolicTensor;
    aux = L.dense({ units: classes, name: 'aux_logits' }).apply(a) as SymbolicTensor;
  }
  {
    const b3 = convBn(convBn(x, 192, 1, 1), 320, 3, 3, 2, 'valid');
    const b7 = convBn(convBn(convBn(convBn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1), 192, 3, 3, 2, 'valid');
    x = concat([b3, b7, maxPool3s2(x)], 'mixed8');
  }
  for (const i of [9, 10]) {
    const b1 = convBn(x, 320, 1, 1);
    const b3 = convBn(x, 384, 1, 1);
    const b3s = concat([convBn(b3, 384, 1, 3), convBn(b3, 384, 3, 1)], `mixed${i}_a`);
    const bd = convBn(convBn(x, 448, 1, 1), 384, 3, 3);
    const bds = concat([convBn(bd, 384, 1, 3), convBn(bd, 384, 3, 1)], `mixed${i}_b`);
    const bp = convBn(avgPool3(x), 192, 1, 1);
    x = concat([b1, b3s, bds, bp], `mixed${i}`);
  }
  x = L.globalAveragePooling2d({ name: 'pool' }).apply(x) as SymbolicTensor;
  x = L.dropout({ rate: dropout, name: 'dropout' }).apply(x) as SymbolicTensor;
  const logits = L.dense({ units: classes, name: 'logits' }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: aux ? [logits, aux] : logits, name: 'inception_v3' });
}

/**
 * What a pretrained model sees in an image: the model cut before its classifier (walking back
 * past the dense, softmax, dropout, flatten and pooling layers at the end that give a 2-D
 * output), its output average-pooled (4-D) or flattened to [batch, features]. `cut` is the
 * index of the last layer kept. Transfer learning puts a new head on it; the review embeds with it.
 */
export function backboneFeatures(backbone: tf.LayersModel): { cut: number; features: SymbolicTensor } {
  const layers = backbone.layers;
  let cut = layers.length - 1;
  while (cut > 0 && /dense|softmax|dropout|activation|flatten|pool/i.test(layers[cut]!.getClassName()) && layers[cut]!.outputShape.length <= 2) cut--;
  let features = layers[cut]!.output as SymbolicTensor;
  if ((features.shape as number[]).length === 4) features = L.globalAveragePooling2d({ name: 'head_pool' }).apply(features) as SymbolicTensor;
  else if ((features.shape as number[]).length !== 2) features = L.flatten({ name: 'head_flatten' }).apply(features) as SymbolicTensor;
  return { cut, features };
}

/**
 * Transfer learning: a pretrained backbone (backboneFeatures), frozen, with a new head for our
 * categories. `trainableTop` unfreezes that many of the backbone's last layers; `seed` fixes
 * the head's initial weights.
 */
export function withNewHead(backbone: tf.LayersModel, classes: number, trainableTop = 0, dropout = 0.2, seed?: number): tf.LayersModel {
  const { cut, features } = backboneFeatures(backbone);
  backbone.layers.forEach((layer, i) => (layer.trainable = i > cut - trainableTop && i <= cut && trainableTop > 0));
  const x = L.dropout({ rate: dropout, name: 'head_dropout' }).apply(features) as SymbolicTensor;
  // seeded: the same seed starts the same head, so two runs (cached features or not) can be compared
  const logits = L.dense({ units: classes, name: 'head_logits', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: backbone.inputs, outputs: logits, name: `${backbone.name}_transfer` });
}
